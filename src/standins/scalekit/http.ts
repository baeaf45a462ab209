import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ConnectorStatus } from '../../scalekit/sdk-internals.ts';
import type { IntercomWorkspace } from '../intercom/workspace.ts';
import type { AccountStore } from './accounts.ts';
import { consentPage } from './consent-page.ts';
import type { MagicLinkRecord } from './records.ts';
import type { HttpRequestRecord } from './types.ts';

const ACCESS_TOKEN_TTL_SECONDS = 86_399;

export interface ScalekitHttpDeps {
  store: AccountStore;
  intercom: IntercomWorkspace;
  url: () => string;
  clientId: string;
  clientSecret: string;
  /** Bearer tokens the token endpoint has issued and the gRPC side accepts. */
  accessTokens: Set<string>;
  httpRequests: HttpRequestRecord[];
  /** Show Intercom's consent screen at the magic link (the demo) instead of consenting at once (tests). */
  consentPage: boolean;
  now: () => number;
  /** Runs just before a token is handed out (a fault may close the gRPC side at that very moment). */
  beforeToken?: () => void;
}

/**
 * Scalekit's plain HTTP side: the OAuth client-credentials token endpoint the SDK uses, and the hosted magic-link
 * page, where the teammate consents at Intercom and is then sent to the app's user-verify URL.
 */
export function createScalekitHttp(deps: ScalekitHttpDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const { store } = deps;

  const handleToken = async (req: IncomingMessage, res: ServerResponse) => {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('grant_type') !== 'client_credentials') {
      sendJson(res, 400, { error: 'unsupported_grant_type' });
      return;
    }
    if (form.get('client_id') !== deps.clientId || form.get('client_secret') !== deps.clientSecret) {
      sendJson(res, 401, { error: 'invalid_client', error_description: 'invalid client credentials' });
      return;
    }
    const accessToken = `emulated-scalekit-token-${randomBytes(16).toString('hex')}`;
    deps.accessTokens.add(accessToken);
    store.secrets.add(accessToken);
    deps.beforeToken?.();
    sendJson(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: ACCESS_TOKEN_TTL_SECONDS });
  };

  /** The link's flow, or the page that says why it cannot go on. */
  const usableLink = (linkId: string, res: ServerResponse): MagicLinkRecord | undefined => {
    const link = store.magicLinks.get(linkId);
    if (!link || link.expiresAt <= deps.now()) {
      sendHtml(res, 400, 'Link expired', 'session_expired: this authorization link is invalid or has expired.');
      return undefined;
    }
    if (link.userVerifyUrl === undefined) {
      sendHtml(
        res,
        400,
        'Authorization failed',
        'failed_to_exchange: user_verify_url not configured for verification redirect',
      );
      return undefined;
    }
    return link;
  };

  /** Consent given: the account awaits the app's verify, and the browser goes to the app's verify page. */
  const consented = (link: MagicLinkRecord, res: ServerResponse, status: 302 | 303) => {
    const account = store.byId(link.accountId);
    if (!account || link.userVerifyUrl === undefined) {
      sendHtml(res, 400, 'Authorization failed', 'failed_to_exchange: connected account not found');
      return;
    }
    store.touch(account, ConnectorStatus.PENDING_VERIFICATION);
    const authRequestId = randomBytes(24).toString('base64url');
    store.authRequests.set(authRequestId, {
      accountId: account.id,
      identifier: link.identifier,
      pendingCredentials: store.mintCredentials(),
      expiresAt: deps.now() + store.linkTtlMs,
      consumed: false,
    });
    const target = new URL(link.userVerifyUrl);
    target.searchParams.set('auth_request_id', authRequestId);
    if (link.state !== undefined) target.searchParams.set('state', link.state);
    res.writeHead(status, { location: target.toString() }).end();
  };

  const showConsent = (link: MagicLinkRecord, res: ServerResponse) => {
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end(consentPage(deps.intercom.admins, deps.intercom.boundAdminId(link.identifier)));
  };

  /** The teammate picked who they are signed in to Intercom as, and allowed access. */
  const allow = async (link: MagicLinkRecord, req: IncomingMessage, res: ServerResponse) => {
    const adminId = new URLSearchParams(await readBody(req)).get('admin_id') ?? '';
    if (!deps.intercom.findAdmin(adminId)) {
      sendHtml(res, 400, 'Authorization failed', 'access_denied: pick the Intercom teammate you are signed in as.');
      return;
    }
    deps.intercom.bindAdmin(link.identifier, adminId);
    consented(link, res, 303);
  };

  return (req, res) => {
    const url = new URL(req.url ?? '/', deps.url());
    res.once('finish', () =>
      deps.httpRequests.push({ method: req.method ?? '', path: url.pathname, status: res.statusCode, at: deps.now() }),
    );
    const magic = url.pathname.startsWith('/magic/') ? url.pathname.slice('/magic/'.length) : undefined;
    if (req.method === 'POST' && url.pathname === '/oauth/token') {
      // A client that hangs up mid-body gets its socket closed; there is nobody left to answer.
      handleToken(req, res).catch(() => res.destroy());
    } else if (req.method === 'GET' && magic !== undefined) {
      const link = usableLink(magic, res);
      if (link && deps.consentPage) showConsent(link, res);
      else if (link) consented(link, res, 302);
    } else if (req.method === 'POST' && magic !== undefined && deps.consentPage) {
      const link = usableLink(magic, res);
      if (link) allow(link, req, res).catch(() => res.destroy());
    } else if (req.method === 'GET' && url.pathname === '/connected') {
      sendHtml(res, 200, 'Intercom connected', 'You can close this window and return to Slack.');
    } else {
      sendJson(res, 404, { error: 'not_found' });
    }
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendHtml(res: ServerResponse, status: number, title: string, message: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    .end(`<!doctype html><html><head><title>${title}</title></head><body><p>${message}</p></body></html>`);
}
