import { createHash, timingSafeEqual } from 'node:crypto';
import { ScalekitUnavailableError, VerifyRejectedError } from '../errors.ts';
import type { IdentityStore, SlackUser } from '../identity/identity-store.ts';
import type { Logger } from '../logger.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import type { ConnectStore } from './connect-store.ts';
import type { SlackSignIn } from './slack-signin.ts';

export const CONNECT_PATH = '/connect/:token';
export const VERIFY_PATH = '/verify';
export const SLACK_SIGNIN_CALLBACK_PATH = '/auth/slack/callback';

export type OpenLinkResult =
  | { ok: true; location: string; browserSecret: string }
  | { ok: false; problem: OpenLinkProblem };

export type OpenLinkProblem =
  | 'unknown'
  | 'expired'
  | 'used'
  | 'unavailable'
  | 'bad_request'
  | 'wrong_browser'
  | 'wrong_slack_user'
  | 'sign_in_failed';

export type VerifyProblem =
  | 'bad_request'
  | 'unknown_state'
  | 'expired'
  | 'used'
  | 'wrong_browser'
  | 'identifier_mismatch'
  | 'not_found'
  | 'unavailable';

export type VerifyResult = { ok: true; user: SlackUser } | { ok: false; problem: VerifyProblem };

export interface ConnectService {
  /** A fresh single-use link to `PUBLIC_URL/connect/<token>` for this Slack user. */
  issueLink(user: SlackUser): string;
  /** The browser opened a connect link: start a flow bound to this browser and say where to send it. */
  openLink(token: string): Promise<OpenLinkResult>;
  /** Slack sent the browser back from Sign in with Slack: the signed-in user must be the link's. */
  completeSignIn(params: { code?: string; state?: string; browserSecret?: string }): Promise<OpenLinkResult>;
  /** Scalekit sent the browser back: check the flow is this browser's, consume it, and verify with Scalekit. */
  verify(params: { authRequestId?: string; state?: string; browserSecret?: string }): Promise<VerifyResult>;
}

export interface ConnectServiceDeps {
  store: ConnectStore;
  identities: IdentityStore;
  gateway: ScalekitGateway;
  publicUrl: string;
  logger: Logger;
  now: () => number;
  randomBytes: (size: number) => Buffer;
  /** When set, a connect link first asks the browser to sign in with Slack as the link's owner. */
  signIn?: SlackSignIn;
  linkTtlMs?: number;
  flowTtlMs?: number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/;
const OPAQUE = /^[A-Za-z0-9._~+/=-]{1,1024}$/;

export function createConnectService(deps: ConnectServiceDeps): ConnectService {
  const { store, identities, gateway, logger, now } = deps;
  const linkTtlMs = deps.linkTtlMs ?? 10 * 60 * 1000;
  // Longer than the link: the user may take a while at Intercom's consent screen.
  const flowTtlMs = deps.flowTtlMs ?? 30 * 60 * 1000;
  const secret = () => deps.randomBytes(32).toString('base64url');

  return {
    issueLink(user) {
      identities.identifierFor(user);
      const token = secret();
      const createdAt = now();
      store.prune(createdAt);
      store.saveLink({ ...user, tokenHash: sha256(token), createdAt, expiresAt: createdAt + linkTtlMs });
      return `${deps.publicUrl}/connect/${token}`;
    },

    async openLink(token) {
      if (!TOKEN.test(token)) return { ok: false, problem: 'unknown' };
      const tokenHash = sha256(token);
      const link = store.findLink(tokenHash, now());
      if (!link.found) return { ok: false, problem: 'unknown' };
      if (link.used) return { ok: false, problem: 'used' };
      if (link.expired) return { ok: false, problem: 'expired' };
      const browserSecret = secret();
      if (deps.signIn) {
        const state = secret();
        const nonce = secret();
        store.saveSignIn({
          stateHash: sha256(state),
          tokenHash,
          browserHash: sha256(browserSecret),
          nonce,
          expiresAt: now() + linkTtlMs,
        });
        return {
          ok: true,
          location: deps.signIn.authorizeUrl({ state, nonce, teamId: link.user.teamId }),
          browserSecret,
        };
      }
      return startFlow(tokenHash, link.user, browserSecret);
    },

    async completeSignIn({ code, state, browserSecret }) {
      if (!deps.signIn || !code || !state || !OPAQUE.test(code) || !OPAQUE.test(state)) {
        return { ok: false, problem: 'bad_request' };
      }
      const signIn = store.takeSignIn(sha256(state), now());
      if (!signIn) return { ok: false, problem: 'unknown' };
      if (!browserSecret || !sameHash(sha256(browserSecret), signIn.browserHash)) {
        return { ok: false, problem: 'wrong_browser' };
      }
      const link = store.findLink(signIn.tokenHash, now());
      if (!link.found) return { ok: false, problem: 'unknown' };
      if (link.used) return { ok: false, problem: 'used' };
      if (link.expired) return { ok: false, problem: 'expired' };
      let who: SlackUser;
      try {
        who = await deps.signIn.userFor(code);
      } catch (error) {
        logger.warn('Sign in with Slack failed', { userId: link.user.userId }, error);
        return { ok: false, problem: 'sign_in_failed' };
      }
      if (who.teamId !== link.user.teamId || who.userId !== link.user.userId) {
        // A forwarded link: whoever holds it must not attach their Intercom to its owner.
        store.burnLink(signIn.tokenHash, now());
        logger.warn('A connect link was opened by another Slack user', {
          owner: link.user.userId,
          signedIn: who.userId,
        });
        return { ok: false, problem: 'wrong_slack_user' };
      }
      return startFlow(signIn.tokenHash, link.user, browserSecret);
    },

    async verify({ authRequestId, state, browserSecret }) {
      if (!authRequestId || !state || !OPAQUE.test(authRequestId) || !OPAQUE.test(state)) {
        return { ok: false, problem: 'bad_request' };
      }
      const stateHash = sha256(state);
      const flow = store.findFlow(stateHash);
      if (!flow) return { ok: false, problem: 'unknown_state' };
      if (flow.consumedAt !== null) return { ok: false, problem: 'used' };
      if (flow.expiresAt <= now()) return { ok: false, problem: 'expired' };
      // The cookie set when this browser opened the link: a state copied into another browser is worthless.
      if (!browserSecret || !sameHash(sha256(browserSecret), flow.browserHash)) {
        return { ok: false, problem: 'wrong_browser' };
      }
      if (!store.consumeFlow(stateHash, now())) return { ok: false, problem: 'used' };

      const user = { teamId: flow.teamId, userId: flow.userId };
      try {
        await gateway.verifyUser({ authRequestId, identifier: flow.identifier });
        return { ok: true, user };
      } catch (error) {
        if (error instanceof VerifyRejectedError) {
          if (error.reason === 'identifier_mismatch') return { ok: false, problem: 'identifier_mismatch' };
          // The SDK retries verify on transport errors; a retry after a lost success answers "not found".
          const status = await gateway.accountStatus(flow.identifier).catch(() => undefined);
          return status?.active ? { ok: true, user } : { ok: false, problem: 'not_found' };
        }
        if (error instanceof ScalekitUnavailableError) {
          // Nothing happened at Scalekit's end, so let the user retry by reloading the page.
          store.releaseFlow(stateHash);
          logger.warn('Scalekit verification failed', { userId: flow.userId }, error);
          return { ok: false, problem: 'unavailable' };
        }
        throw error;
      }
    },
  };

  /** Creates the Scalekit authorization link and, only if that worked, uses the link up and starts the flow. */
  async function startFlow(tokenHash: string, user: SlackUser, browserSecret: string): Promise<OpenLinkResult> {
    const state = secret();
    let location: string;
    try {
      location = await gateway.authorizationLink({
        identifier: identities.identifierFor(user),
        state,
        userVerifyUrl: `${deps.publicUrl}${VERIFY_PATH}`,
      });
    } catch (error) {
      // The link stays unused, so the user can simply open it again.
      logger.warn('Could not create a Scalekit authorization link', { userId: user.userId }, error);
      return { ok: false, problem: 'unavailable' };
    }
    const startedAt = now();
    const started = store.useLinkAndStartFlow(tokenHash, {
      ...user,
      stateHash: sha256(state),
      browserHash: sha256(browserSecret),
      createdAt: startedAt,
      expiresAt: startedAt + flowTtlMs,
    });
    if (!started) return { ok: false, problem: 'used' };
    return { ok: true, location, browserSecret };
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
