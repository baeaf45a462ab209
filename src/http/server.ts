import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { problemWithSlackBody } from './slack-body.ts';

export interface Route {
  /** HEAD is never implied by GET: only routes that are safe to HEAD declare it (Node sends no body for HEAD). */
  method: 'GET' | 'HEAD' | 'POST';
  /** A path such as `/connect/:token`; `:name` segments are captured into `params`. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL): void | Promise<void>;
}

export interface HttpServerOptions {
  routes: readonly Route[];
  /** Bolt's request listener for `/slack/events` (HTTP mode only). */
  slackListener?: RequestListener;
  /** Requests larger than this are refused before anyone reads them. */
  maxBodyBytes?: number;
  logger: Logger;
}

const SLACK_PATH = '/slack/events';

/**
 * One server for everything users and Slack reach: Slack's events (HTTP mode), the connect/verify pages and
 * `/healthz`. Kept separate from Bolt's own server so both Slack modes share it and we own limits and errors.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const { routes, slackListener, logger } = options;
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const compiled = routes.map((route) => ({ route, match: compilePath(route.path) }));

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      sendText(res, 413, 'Request body too large.');
      req.resume();
      return;
    }
    if (url.pathname === SLACK_PATH && slackListener) {
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        sendText(res, 405, 'Method not allowed.');
        return;
      }
      readBody(req, maxBodyBytes).then(
        (raw) => {
          if (raw === undefined) return sendText(res, 413, 'Request body too large.');
          const problem = problemWithSlackBody(raw.toString('utf8'), req.headers['content-type'] ?? '');
          if (problem)
            return sendText(res, problem === 'unsupported content type' ? 415 : 400, `Bad request: ${problem}.`);
          // Bolt takes an already-read body from `rawBody` (its BufferedIncomingMessage) and verifies the signature.
          Object.assign(req, { rawBody: raw });
          slackListener(req, res);
        },
        (error: unknown) => {
          logger.warn('Reading a request body failed', error);
          if (!res.headersSent) sendText(res, 400, 'Bad request.');
        },
      );
      return;
    }
    const candidates = compiled
      .map(({ route, match }) => ({ route, params: match(url.pathname) }))
      .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== undefined);
    if (candidates.length === 0) {
      sendText(res, 404, 'Not found.');
      return;
    }
    const chosen = candidates.find((c) => c.route.method === req.method);
    if (!chosen) {
      res.setHeader('Allow', [...new Set(candidates.map((c) => c.route.method))].join(', '));
      sendText(res, 405, 'Method not allowed.');
      return;
    }
    Promise.resolve()
      .then(() => chosen.route.handle(req, res, chosen.params, url))
      .catch((error: unknown) => {
        logger.error('HTTP route failed', { path: chosen.route.path }, error);
        if (!res.headersSent) sendText(res, 500, 'Something went wrong on our side. Please try again.');
        else res.end();
      });
  });
  // A slow or stuck client must not hold a socket for Node's 5-minute default.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;
  return server;
}

/** The whole body, or undefined once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}

function compilePath(path: string): (pathname: string) => Record<string, string> | undefined {
  const parts = path.split('/');
  return (pathname) => {
    const actual = pathname.split('/');
    if (actual.length !== parts.length) return undefined;
    const params: Record<string, string> = {};
    for (const [i, part] of parts.entries()) {
      const value = actual[i] ?? '';
      if (part.startsWith(':')) {
        if (value === '') return undefined;
        const decoded = safeDecode(value);
        if (decoded === undefined) return undefined;
        params[part.slice(1)] = decoded;
      } else if (part !== value) return undefined;
    }
    return params;
  };
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    // A malformed %-escape is a bad request, not a crash.
    return undefined;
  }
}
