import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScalekitFaults } from '../../standins/scalekit/emulator.ts';
import type { SlackApiEmulator } from '../../standins/slack/emulator.ts';
import type { Clicked, InputValue } from './slack-payloads.ts';
import { dmChannel, SUPPORT_CHANNEL, TEAMMATES, teammate } from './teammates.ts';
import { type Pane, renderView } from './views.ts';
import type { ClickPlace, PlaygroundWorkspace } from './workspace.ts';

export interface PlaygroundServerDeps {
  port: number;
  slack: SlackApiEmulator;
  workspace: PlaygroundWorkspace;
  /** The read-only Intercom view, rendered fresh. */
  intercom: () => string;
  /** Subscribes to changes that are not Slack's (the Intercom workspace), for live updates. */
  onOtherChange: (listener: () => void) => () => void;
  /** What the banner says about the model. */
  modelLabel: string;
  /** What the sidebar's buttons do to the Scalekit stand-in, to show the bot riding it out. */
  scalekitFaults: Pick<
    ScalekitFaults,
    'restart' | 'goAway' | 'closeDrained' | 'refuseConnections' | 'acceptConnections'
  >;
  standins: PlaygroundControls;
}

/** Acts on the stand-ins as the chosen person; each answers with what the playground tells them. */
export interface PlaygroundControls {
  /** Their Intercom connection breaks (EXPIRED), and Scalekit sends the bot a signed webhook. */
  breakConnection(user: string): Promise<string>;
  /** A customer writes on the open conversation assigned to them that waited longest. */
  customerReplies(user: string): string;
}

export interface PlaygroundServer {
  url: string;
  close(): Promise<void>;
}

const SCALEKIT_OUTAGE_MS = 5000;

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/messages.css': { file: 'messages.css', type: 'text/css; charset=utf-8' },
  '/blocks.css': { file: 'blocks.css', type: 'text/css; charset=utf-8' },
};
const PANES = new Set<Pane>(['support', 'dm', 'home', 'intercom']);
const MAX_BODY = 64 * 1024;

/**
 * The playground's web server: the page (plain HTML, CSS and a little script), the HTML of each pane rendered
 * here, Server-Sent Events whenever Slack or Intercom changed, and the actions people take. Loopback only.
 */
export async function startPlaygroundServer(deps: PlaygroundServerDeps): Promise<PlaygroundServer> {
  const assets = Object.fromEntries(
    Object.entries(ASSETS).map(([path, { file, type }]) => [
      path,
      { body: readFileSync(new URL(`./assets/${file}`, import.meta.url)), type },
    ]),
  );
  const streams = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  let outage: NodeJS.Timeout | undefined;
  // Streams change Slack many times a second: one notice per burst is enough for the page to refetch.
  const changed = () => {
    pending ??= setTimeout(() => {
      pending = undefined;
      for (const res of streams) res.write('event: change\ndata: {}\n\n');
    }, 40);
  };
  // What someone's open details pane shows is re-read (as them) when Intercom changed, e.g. after its own actions.
  let rereading = false;
  const reread = () => {
    if (rereading) return;
    rereading = true;
    setTimeout(() => {
      deps.workspace
        .refreshDetails()
        // A failed re-read leaves the pane as it was; the next change in Intercom tries again.
        .catch(() => {})
        .finally(() => {
          rereading = false;
        });
    }, 40).unref();
  };
  const unsubscribe = [deps.slack.onChange(changed), deps.onOtherChange(changed), deps.onOtherChange(reread)];
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': still here\n\n');
  }, 15_000);
  heartbeat.unref();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 400, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const asset = req.method === 'GET' ? assets[url.pathname] : undefined;
    if (asset) {
      res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-store', ...SECURITY_HEADERS });
      res.end(asset.body);
      return;
    }
    if (req.method === 'GET' && url.pathname === '/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/info') {
      sendJson(res, 200, {
        model: deps.modelLabel,
        teammates: TEAMMATES.map(({ id, name, fullName }) => ({ id, name, fullName })),
        channel: SUPPORT_CHANNEL,
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === '/api/view') {
      const user = knownUser(url.searchParams.get('user'));
      const pane = url.searchParams.get('pane') as Pane;
      if (!PANES.has(pane)) throw new Error('unknown pane');
      const thread = url.searchParams.get('thread') ?? undefined;
      sendJson(res, 200, renderView({ user, pane, thread }, { ...deps, intercom: deps.intercom }));
      return;
    }
    if (req.method === 'POST' && url.pathname.startsWith('/api/')) {
      const body = await readJson(req, origin);
      const user = knownUser(body.user);
      sendJson(res, 200, await act(url.pathname.slice('/api/'.length), user, body));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  async function act(action: string, user: string, body: Record<string, unknown>): Promise<unknown> {
    switch (action) {
      case 'message': {
        const channel = body.pane === 'dm' ? dmChannel(user) : SUPPORT_CHANNEL.id;
        await deps.workspace.post(user, channel, String(body.text ?? ''), optional(body.thread));
        return { ok: true };
      }
      case 'click': {
        const clicked: Clicked = {
          kind:
            body.kind === 'feedback_buttons' || body.kind === 'static_select' || body.kind === 'overflow'
              ? body.kind
              : 'button',
          blockId: String(body.blockId ?? ''),
          actionId: String(body.actionId ?? ''),
          value: optional(body.value),
          text: optional(body.text),
        };
        const place: ClickPlace =
          body.details === true
            ? { details: true }
            : body.home === true
              ? { home: true }
              : typeof body.ephemeral === 'string'
                ? { ephemeral: body.ephemeral }
                : { message: { channel: String(body.channel ?? ''), ts: String(body.ts ?? '') } };
        await deps.workspace.click(user, clicked, place);
        return { ok: true };
      }
      case 'submit':
        return deps.workspace.submit(
          user,
          String(body.triggerId ?? ''),
          (body.values ?? {}) as Record<string, Record<string, InputValue>>,
        );
      case 'details':
        await deps.workspace.openDetails(user, String(body.ref ?? ''));
        return { ok: true };
      case 'close-details':
        deps.workspace.closeDetails(user);
        changed();
        return { ok: true };
      case 'close-modal':
        deps.workspace.closeModal(user, String(body.triggerId ?? ''));
        changed();
        return { ok: true };
      case 'home':
        await deps.workspace.openHome(user);
        return { ok: true };
      case 'scalekit-restart': {
        // As a restarting server does: GOAWAY on every connection, then the sockets close; it knows no tokens.
        deps.scalekitFaults.restart();
        await deps.scalekitFaults.goAway();
        deps.scalekitFaults.closeDrained();
        return { ok: true, message: 'Scalekit restarted. Ask the bot something: it reconnects and answers.' };
      }
      case 'scalekit-outage':
        await deps.scalekitFaults.refuseConnections();
        clearTimeout(outage);
        outage = setTimeout(() => void deps.scalekitFaults.acceptConnections(), SCALEKIT_OUTAGE_MS);
        return {
          ok: true,
          message:
            'Scalekit refuses connections for 5 s. A question asked now waits (the SDK retries) and is answered.',
        };
      case 'break-connection':
        return { ok: true, message: await deps.standins.breakConnection(user) };
      case 'customer-replies':
        return { ok: true, message: deps.standins.customerReplies(user) };
      default:
        throw new Error('unknown action');
    }
  }

  server.listen(deps.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/`,
    async close() {
      for (const stop of unsubscribe) stop();
      clearInterval(heartbeat);
      clearTimeout(outage);
      clearTimeout(pending);
      for (const res of streams) res.end();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

// The rendered HTML never needs inline script or style: if a rendering bug ever let markup through, it could not run.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function knownUser(value: unknown): string {
  const id = String(value ?? '');
  if (!teammate(id)) throw new Error('unknown teammate');
  return id;
}

function optional(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Actions come only from the playground's own page: JSON (which another site cannot send without a CORS preflight
 * this server never answers) from our own origin.
 */
async function readJson(req: IncomingMessage, origin: string): Promise<Record<string, unknown>> {
  if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) throw new Error('send JSON');
  if (req.headers.origin !== undefined && req.headers.origin !== origin) throw new Error('not from the playground');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('too large');
    chunks.push(chunk as Buffer);
  }
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('send a JSON object');
  return parsed as Record<string, unknown>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
}
