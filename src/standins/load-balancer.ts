import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RoundRobinProxy {
  url: string;
  /** Which upstream each request went to, in order (indexes into the list given). */
  readonly routed: number[];
  close(): Promise<void>;
}

/**
 * The smallest load balancer: each request to the next upstream in turn, no stickiness, no retries. An upstream
 * that refuses the connection answers 502, as a real proxy would before it notices.
 */
export async function startRoundRobinProxy(upstreams: () => string[]): Promise<RoundRobinProxy> {
  let next = 0;
  const routed: number[] = [];
  const server = createServer((req, res) => {
    const targets = upstreams();
    const index = next++ % targets.length;
    routed.push(index);
    const target = new URL(req.url ?? '/', targets[index]);
    const forward = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.pipe(forward);
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routed,
    close: () =>
      new Promise((closed) => {
        server.close(() => closed());
        server.closeAllConnections();
      }),
  };
}
