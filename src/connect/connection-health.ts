import type { webApi } from '@slack/bolt';
import type { Fence } from '../db/fence.ts';
import type { IdentityStore, SlackUser } from '../identity/identity-store.ts';
import type { Logger } from '../logger.ts';
import type { CachedGateway } from '../scalekit/cached-gateway.ts';
import type { ConnectionBreaks } from './connection-breaks.ts';

/** A verified Scalekit webhook, as far as the bot reads it. */
export interface ScalekitEvent {
  type: string;
  /** The connected account's identifier: ours, from the identity map. */
  identifier?: string;
  /** connected_account.status_updated: the new status (ACTIVE, EXPIRED, …). */
  status?: string;
}

/** A teammate's background work (watches, their queue), paused while their connection is broken. */
export interface BackgroundWork {
  pauseFor(user: SlackUser): Promise<void>;
  resumeFor(user: SlackUser): Promise<void>;
}

export interface ConnectionHealth {
  /** Acts on a webhook: a breakage pauses the teammate's background work and sends one reconnect DM. */
  onEvent(event: ScalekitEvent): Promise<void>;
  /**
   * A poll (a watch, My queue) found the teammate's token refused: the same breakage as the webhook's, so one
   * record, one reconnect DM and all their background work paused, whichever of them noticed it first.
   */
  refused(user: SlackUser, fence?: Fence): Promise<void>;
  /** They reconnected (verify, or Scalekit says ACTIVE again): the breakage is over and their work resumes. */
  healed(user: SlackUser): Promise<void>;
}

export const STATUS_UPDATED = 'connected_account.status_updated';
export const TOKEN_REFRESH_FAILED = 'connected_account.token_refresh_failed';

export function createConnectionHealth(deps: {
  identities: Pick<IdentityStore, 'slackUserOf'>;
  breaks: ConnectionBreaks;
  gateway: Pick<CachedGateway, 'forget'>;
  background: readonly BackgroundWork[];
  /** The reconnect DM (connect-flow's prompter; named by shape, as connect-flow depends on the account). */
  prompt: (client: webApi.WebClient, user: SlackUser, reason: 'expired') => Promise<void>;
  client: webApi.WebClient;
  logger: Logger;
  now: () => number;
}): ConnectionHealth {
  const { logger } = deps;

  const healed = async (user: SlackUser) => {
    await deps.breaks.heal(user);
    for (const work of deps.background) await work.resumeFor(user);
  };

  /**
   * Their work pauses whatever reports it; only the first report of a breakage sends the reconnect DM. A poll pass of
   * a leader that lost the lead (`fence`) reports nothing: the new leader's poll will.
   */
  const broke = async (user: SlackUser, status: string, how: string, fence?: Fence) => {
    const recorded = await deps.breaks.record(user, status, deps.now(), fence);
    if (recorded === 'fenced') return;
    for (const work of deps.background) await work.pauseFor(user);
    if (recorded === 'known') {
      logger.debug('A breakage already reported', { userId: user.userId, status, how });
      return;
    }
    logger.info('A teammate’s Intercom connection broke; asking them to reconnect', {
      userId: user.userId,
      status,
      how,
    });
    await deps.prompt(deps.client, user, 'expired');
  };

  return {
    healed,
    refused: (user, fence) => broke(user, 'TOKEN_REFUSED', 'poll', fence),
    async onEvent(event) {
      if (event.type !== STATUS_UPDATED && event.type !== TOKEN_REFRESH_FAILED) {
        logger.debug('Ignored a Scalekit webhook of a kind the bot does not act on', { type: event.type });
        return;
      }
      // Only identifiers the identity map made are ours; anything else is another app's account.
      const user = event.identifier ? await deps.identities.slackUserOf(event.identifier) : undefined;
      if (!user || !event.identifier) {
        logger.info('A Scalekit webhook named no teammate the bot knows', { type: event.type });
        return;
      }
      // Whatever was cached about the connection is stale now.
      deps.gateway.forget(event.identifier);
      if (event.type === STATUS_UPDATED && event.status === 'ACTIVE') {
        await healed(user);
        logger.info('A teammate’s Intercom connection is active again', { userId: user.userId });
        return;
      }
      const status = event.type === TOKEN_REFRESH_FAILED ? 'TOKEN_REFRESH_FAILED' : (event.status ?? 'UNKNOWN');
      await broke(user, status, 'webhook');
    },
  };
}
