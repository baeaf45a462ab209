import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../logger.ts';
import { parseSlackBody } from './slack-body.ts';
import type { SlackReceiver } from './slack-receiver.ts';
import { isSlackSslCheck, SlackSignatureError, verifySlackSignature } from './slack-signature.ts';

export interface Route {
  /** HEAD is never implied by GET: only routes that are safe to HEAD declare it (Node sends no body for HEAD). */
  method: 'GET' | 'HEAD' | 'POST';
  /** A path such as `/connect/:token`; `:name` segments are captured into `params`. */
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, params: Record<string, string>, url: URL): void | Promise<void>;
}

/** Slack's events endpoint (HTTP mode only). */
export interface SlackEndpoint {
  signingSecret: string;
  receiver: Pick<SlackReceiver, 'dispatch'>;
}

export interface HttpServerOptions {
  /** Served from the moment the server listens, also while starting and stopping (`/healthz`). */
  routes: readonly Route[];
  /** Requests larger than this are refused before anyone reads them. */
  maxBodyBytes?: number;
  logger: Logger;
  now?: () => number;
  /** A server to serve on instead of a new one (already listening, or not yet). */
  server?: Server;
}

export interface HttpServer {
  server: Server;
  /** Serves the bot's own routes and Slack's endpoint from now on; until then they answer 503. */
  startServing(handlers: { routes: readonly Route[]; slack?: SlackEndpoint }): void;
  /** Back to 503 for everything but the always-on routes: no new work while work in flight finishes. */
  stopServing(): void;
  /** Stops answering on `server` altogether and drops its connections, leaving it open (for a server handed in). */
  detach(): void;
}

const SLACK_PATH = '/slack/events';

/**
 * One server for everything users and Slack reach: Slack's events (HTTP mode), the connect/verify pages and
 * `/healthz`. Kept separate from Bolt's own server so both Slack modes share it and we own limits and errors. It
 * listens before the bot is ready, so `/healthz` can say why it is not.
 */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  const { logger } = options;
  const now = options.now ?? Date.now;
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const always = compile(options.routes);
  let serving: { routes: CompiledRoute[]; slack?: SlackEndpoint } | undefined;

  const server = options.server ?? createServer();
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBodyBytes) {
      refuseTooLarge(res);
      return;
    }
    if (!serving) {
      if (!dispatch(always, req, res, url)) {
        res.setHeader('Retry-After', '5');
        sendText(res, 503, 'Not ready; try again in a moment.');
      }
      return;
    }
    if (url.pathname === SLACK_PATH && serving.slack) {
      handleSlack(serving.slack, req, res);
      return;
    }
    if (!dispatch(serving.routes, req, res, url)) sendText(res, 404, 'Not found.');
  };
  server.on('request', handle);
  // A slow or stuck client must not hold a socket for Node's 5-minute default.
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  return {
    server,
    startServing(handlers) {
      serving = { routes: [...always, ...compile(handlers.routes)], slack: handlers.slack };
    },
    stopServing() {
      serving = undefined;
    },
    detach() {
      server.off('request', handle);
      server.closeAllConnections();
    },
  };

  /**
   * The signature is checked on the raw bytes before anything looks at the body: a request Slack did not sign gets
   * 401 whatever it contains, and its content is neither parsed nor echoed.
   */
  function handleSlack(slack: SlackEndpoint, req: IncomingMessage, res: ServerResponse): void {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendText(res, 405, 'Method not allowed.');
      return;
    }
    readBody(req, maxBodyBytes)
      .then(
        async (raw) => {
          if (raw === undefined) return refuseTooLarge(res);
          try {
            verifySlackSignature({ signingSecret: slack.signingSecret, body: raw, headers: req.headers, now });
          } catch (error) {
            if (!(error instanceof SlackSignatureError)) throw error;
            if (isSlackSslCheck(raw, req.headers['content-type'])) return void res.writeHead(200).end();
            logger.warn('Refused a Slack request without a valid signature', { reason: error.reason });
            return sendText(res, 401, 'Unauthorized: not signed by Slack.');
          }
          const parsed = parseSlackBody(raw.toString('utf8'), req.headers['content-type'] ?? '');
          if (!parsed.ok) return sendText(res, parsed.status, `Bad request: ${parsed.problem}.`);
          if ('ignore' in parsed) {
            logger.debug('Ignored an event the bot has no listener for', { eventType: parsed.eventType });
            return void res.writeHead(200).end();
          }
          await slack.receiver.dispatch({ body: parsed.body, req, res });
        },
        (error: unknown) => {
          logger.warn('Reading a request body failed', error);
          if (!res.headersSent) sendText(res, 400, 'Bad request.');
        },
      )
      .catch((error: unknown) => {
        logger.error('Handling a Slack request failed', error);
        if (!res.headersSent) sendText(res, 500, 'Something went wrong on our side.');
      });
  }

  /** Runs the route for this path and method; false when no route has the path. */
  function dispatch(routes: CompiledRoute[], req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const candidates = routes
      .map(({ route, match }) => ({ route, params: match(url.pathname) }))
      .filter((c): c is { route: Route; params: Record<string, string> } => c.params !== undefined);
    if (candidates.length === 0) return false;
    const chosen = candidates.find((c) => c.route.method === req.method);
    if (!chosen) {
      res.setHeader('Allow', [...new Set(candidates.map((c) => c.route.method))].join(', '));
      sendText(res, 405, 'Method not allowed.');
      return true;
    }
    Promise.resolve()
      .then(() => chosen.route.handle(req, res, chosen.params, url))
      .catch((error: unknown) => {
        logger.error('HTTP route failed', { path: chosen.route.path }, error);
        if (!res.headersSent) sendText(res, 500, 'Something went wrong on our side. Please try again.');
        else res.end();
      });
    return true;
  }
}

interface CompiledRoute {
  route: Route;
  match: (pathname: string) => Record<string, string> | undefined;
}

function compile(routes: readonly Route[]): CompiledRoute[] {
  return routes.map((route) => ({ route, match: compilePath(route.path) }));
}

/** Answered without reading the body; the connection closes so the rest of it is not read either. */
function refuseTooLarge(res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendText(res, 413, 'Request body too large.');
}

/** The whole body, or undefined once it passes `limit` bytes (the rest is not read). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
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

export function sendText(res: ServerResponse, status: number, text: string): void {
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
