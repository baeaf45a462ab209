/** HTTP plumbing of the model stand-in: the client's presence while streaming, errors as OpenAI words them. */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Tracks whether the client is still there so delays and streams stop as soon as it goes away. */
export class ReplyContext {
  readonly res: ServerResponse;
  gone = false;
  /** Events left before the connection is reset (undefined: never). */
  #eventsBeforeReset: number | undefined;

  constructor(res: ServerResponse, resetAfterEvents?: number) {
    this.res = res;
    this.#eventsBeforeReset = resetAfterEvents;
    res.once('close', () => {
      if (!res.writableFinished) this.gone = true;
    });
  }

  pause(ms: number): Promise<void> {
    if (this.gone) return Promise.resolve();
    if (ms <= 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.res.off('close', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.res.once('close', done);
    });
  }

  startSse(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
  }

  async send(data: string, delayMs: number): Promise<boolean> {
    if (this.gone) return false;
    if (this.#eventsBeforeReset !== undefined && this.#eventsBeforeReset-- <= 0) {
      this.gone = true;
      this.res.socket?.resetAndDestroy();
      return false;
    }
    this.res.write(data);
    await this.pause(delayMs);
    return !this.gone;
  }

  end(data: string): void {
    if (!this.gone) this.res.end(data);
  }
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function readBearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function maskKey(key: string): string {
  return key.length <= 8 ? key : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

export function errorTypeFor(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'rate_limit_exceeded';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

export function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null = null,
): void {
  sendJson(res, status, { error: { message, type, param: null, code } });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
