import { createHash, timingSafeEqual } from 'node:crypto';
import { ScalekitUnavailableError, VerifyRejectedError } from '../errors.ts';
import type { IdentityStore, SlackUser } from '../identity/identity-store.ts';
import type { Logger } from '../logger.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import type { TimeAndChance } from '../shared/time-and-chance.ts';
import type { ConnectStore } from './connect-store.ts';
import type { SlackSignIn } from './slack-signin.ts';

export const CONNECT_PATH = '/connect/:token';
export const VERIFY_PATH = '/verify';
export const SLACK_SIGNIN_CALLBACK_PATH = '/auth/slack/callback';

/**
 * What ties one pending step (Sign in with Slack, or the Scalekit flow) to the browser that started it: the browser
 * keeps `secret` under a name derived from `key`, so every step has a cookie of its own and one step's outcome never
 * touches another's (two links opened in one browser both finish; a stray request cannot end a real one).
 */
export interface BrowserBinding {
  key: string;
  secret: string;
}

export type OpenLinkResult =
  | { ok: true; location: string; bind: BrowserBinding; release?: string }
  | { ok: false; problem: OpenLinkProblem; release?: string };

/** A connect link looked at without using it up (a GET, which scanners and unfurlers send too). */
export type LinkCheck = { ok: true } | { ok: false; problem: 'unknown' | 'expired' | 'used' };

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

/**
 * `release` names the binding this browser has just used up (it proved the step was its own and consumed it), so its
 * cookie can go; a refused request carries none and leaves every cookie alone.
 */
export type VerifyResult =
  | { ok: true; user: SlackUser; release: string }
  | { ok: false; problem: VerifyProblem; release?: string };

export interface ConnectService {
  /** A fresh single-use link to `PUBLIC_URL/connect/<token>` for this Slack user. */
  issueLink(user: SlackUser): Promise<string>;
  /** Whether a connect link could be used now; changes nothing. */
  checkLink(token: string): Promise<LinkCheck>;
  /** The person pressed Continue: use the link up, start a step bound to this browser and say where to send it. */
  openLink(token: string): Promise<OpenLinkResult>;
  /**
   * Slack sent the browser back from Sign in with Slack: the signed-in user must be the link's. `browserSecret` is
   * what the browser keeps for `bindingKey(state)`.
   */
  completeSignIn(params: { code?: string; state?: string; browserSecret?: string }): Promise<OpenLinkResult>;
  /**
   * Scalekit sent the browser back: check the flow is this browser's, consume it, and verify with Scalekit.
   * `browserSecret` is what the browser keeps for `bindingKey(state)`.
   */
  verify(params: { authRequestId?: string; state?: string; browserSecret?: string }): Promise<VerifyResult>;
}

/**
 * The public name of a step's browser binding, derived from its state so the page the browser comes back to can find
 * the right cookie. Hashed so the cookie name reveals nothing about the state; 96 bits keep names from colliding.
 */
export function bindingKey(state: string): string {
  return createHash('sha256').update(`browser-binding:${state}`).digest('base64url').slice(0, 16);
}

export interface ConnectServiceDeps extends TimeAndChance {
  /** Links, flows and sign-in steps, kept as hashes. */
  store: ConnectStore;
  identities: IdentityStore;
  /** Scalekit: authorization links, verification and status. */
  gateway: ScalekitGateway;
  /** Where the connect and verify pages are reached (PUBLIC_URL). */
  publicUrl: string;
  logger: Logger;
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
    async issueLink(user) {
      await identities.identifierFor(user);
      const token = secret();
      const createdAt = now();
      await store.prune(createdAt);
      await store.saveLink({ ...user, tokenHash: sha256(token), createdAt, expiresAt: createdAt + linkTtlMs });
      return `${deps.publicUrl}/connect/${token}`;
    },

    async checkLink(token) {
      const link = await lookUpLink(token);
      return link.ok ? { ok: true } : link;
    },

    async openLink(token) {
      const link = await lookUpLink(token);
      if (!link.ok) return link;
      if (deps.signIn) {
        const state = secret();
        const bind = { key: bindingKey(state), secret: secret() };
        await store.saveSignIn({
          stateHash: sha256(state),
          tokenHash: link.tokenHash,
          browserHash: sha256(bind.secret),
          expiresAt: now() + linkTtlMs,
        });
        return { ok: true, location: deps.signIn.authorizeUrl({ state, teamId: link.user.teamId }), bind };
      }
      return startFlow(link.tokenHash, link.user);
    },

    async completeSignIn({ code, state, browserSecret }) {
      if (!deps.signIn || !code || !state || !OPAQUE.test(code) || !OPAQUE.test(state)) {
        return { ok: false, problem: 'bad_request' };
      }
      const stateHash = sha256(state);
      const signIn = await store.findSignIn(stateHash, now());
      if (!signIn) return { ok: false, problem: 'unknown' };
      // Checked before the step is used up, so a stray callback with someone's state changes nothing.
      if (!browserSecret || !sameHash(sha256(browserSecret), signIn.browserHash)) {
        return { ok: false, problem: 'wrong_browser' };
      }
      if (!(await store.takeSignIn(stateHash, now()))) return { ok: false, problem: 'unknown' };
      // From here on this browser's sign-in step is spent, whatever the outcome.
      const release = bindingKey(state);
      const link = await store.findLink(signIn.tokenHash, now());
      if (!link.found) return { ok: false, problem: 'unknown', release };
      if (link.used) return { ok: false, problem: 'used', release };
      if (link.expired) return { ok: false, problem: 'expired', release };
      let who: SlackUser;
      try {
        who = await deps.signIn.userFor(code);
      } catch (error) {
        logger.warn('Sign in with Slack failed', { userId: link.user.userId }, error);
        return { ok: false, problem: 'sign_in_failed', release };
      }
      if (who.teamId !== link.user.teamId || who.userId !== link.user.userId) {
        // A forwarded link: whoever holds it must not attach their Intercom to its owner.
        await store.burnLink(signIn.tokenHash, now());
        logger.warn('A connect link was opened by another Slack user', {
          owner: link.user.userId,
          signedIn: who.userId,
        });
        return { ok: false, problem: 'wrong_slack_user', release };
      }
      return { ...(await startFlow(signIn.tokenHash, link.user)), release };
    },

    async verify({ authRequestId, state, browserSecret }) {
      if (!authRequestId || !state || !OPAQUE.test(authRequestId) || !OPAQUE.test(state)) {
        return { ok: false, problem: 'bad_request' };
      }
      const stateHash = sha256(state);
      const flow = await store.findFlow(stateHash);
      if (!flow) return { ok: false, problem: 'unknown_state' };
      if (flow.consumedAt !== null) return { ok: false, problem: 'used' };
      if (flow.expiresAt <= now()) return { ok: false, problem: 'expired' };
      // The cookie set when this browser opened the link: a state copied into another browser is worthless.
      if (!browserSecret || !sameHash(sha256(browserSecret), flow.browserHash)) {
        return { ok: false, problem: 'wrong_browser' };
      }
      if (!(await store.consumeFlow(stateHash, now()))) return { ok: false, problem: 'used' };

      const user = { teamId: flow.teamId, userId: flow.userId };
      const release = bindingKey(state);
      try {
        await gateway.verifyUser({ authRequestId, identifier: flow.identifier });
        return { ok: true, user, release };
      } catch (error) {
        if (error instanceof VerifyRejectedError) {
          if (error.reason === 'identifier_mismatch') return { ok: false, problem: 'identifier_mismatch', release };
          // The SDK retries verify on transport errors; a retry after a lost success answers "not found".
          const status = await gateway.accountStatus(flow.identifier).catch(() => undefined);
          return status?.active ? { ok: true, user, release } : { ok: false, problem: 'not_found', release };
        }
        if (error instanceof ScalekitUnavailableError) {
          // Nothing happened at Scalekit's end, so let the user retry by reloading the page.
          await store.releaseFlow(stateHash);
          logger.warn('Scalekit verification failed', { userId: flow.userId }, error);
          return { ok: false, problem: 'unavailable' };
        }
        throw error;
      }
    },
  };

  async function lookUpLink(
    token: string,
  ): Promise<
    { ok: true; tokenHash: string; user: SlackUser } | { ok: false; problem: 'unknown' | 'expired' | 'used' }
  > {
    if (!TOKEN.test(token)) return { ok: false, problem: 'unknown' };
    const tokenHash = sha256(token);
    const link = await store.findLink(tokenHash, now());
    if (!link.found) return { ok: false, problem: 'unknown' };
    if (link.used) return { ok: false, problem: 'used' };
    if (link.expired) return { ok: false, problem: 'expired' };
    return { ok: true, tokenHash, user: link.user };
  }

  /** Creates the Scalekit authorization link and, only if that worked, uses the link up and starts the flow. */
  async function startFlow(tokenHash: string, user: SlackUser): Promise<OpenLinkResult> {
    const state = secret();
    const bind = { key: bindingKey(state), secret: secret() };
    let location: string;
    try {
      location = await gateway.authorizationLink({
        identifier: await identities.identifierFor(user),
        state,
        userVerifyUrl: `${deps.publicUrl}${VERIFY_PATH}`,
      });
    } catch (error) {
      // The link stays unused, so the user can simply open it again.
      logger.warn('Could not create a Scalekit authorization link', { userId: user.userId }, error);
      return { ok: false, problem: 'unavailable' };
    }
    const startedAt = now();
    const started = await store.useLinkAndStartFlow(tokenHash, {
      ...user,
      stateHash: sha256(state),
      browserHash: sha256(bind.secret),
      createdAt: startedAt,
      expiresAt: startedAt + flowTtlMs,
    });
    if (!started) return { ok: false, problem: 'used' };
    return { ok: true, location, bind };
  }
}

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

function sameHash(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}
