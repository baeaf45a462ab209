import type { webApi } from '@slack/bolt';
import { buildApprovalMessage } from '../approvals/approval-blocks.ts';
import type { PendingActions } from '../approvals/pending-actions.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { IdentityStore, ScalekitIdentifier, SlackUser } from '../identity/identity-store.ts';
import type { AdminDirectory } from '../intercom/admin-directory.ts';
import type { Logger } from '../logger.ts';
import type { CachedGateway } from '../scalekit/cached-gateway.ts';
import { escapeMrkdwn } from '../shared/escape.ts';
import { slackDate } from '../shared/mrkdwn.ts';
import { updateOrPost } from '../shared/slack-post.ts';
import type { ConnectionBreaks } from './connection-breaks.ts';
import type { ConnectionHealth } from './connection-health.ts';
import type { ParkedRequests } from './parked-requests.ts';

export interface AccountSummary {
  connected: boolean;
  statusName: string;
  connectedSince?: number;
  lastUsed?: number;
  toolCallsThisWeek: number;
  approvedThisWeek: number;
  /** Conversations watched for them (paused ones included: they resume after reconnecting). */
  watching: number;
  /** Scalekit said the connection broke (the status it gave) and they have not reconnected yet. */
  broken?: string;
}

/** What the account needs of watches (src/watches), named here so neither feature imports the other. */
export interface AccountWatches {
  countOpen(user: SlackUser): Promise<number>;
  /** Ends every watch of the user at once; returns how many. */
  endAllFor(user: SlackUser): Promise<number>;
}

/** A teammate's own connection: how it stands, and cutting it off. */
export interface AccountService {
  summary(user: SlackUser): Promise<AccountSummary>;
  /** Deletes the connected account at Scalekit and everything that would still act on it. */
  disconnect(user: SlackUser): Promise<{ cancelledActions: number; droppedRequests: number; endedWatches: number }>;
  /** Records a successful connection (and forgets what was cached about any earlier one). */
  connected(user: SlackUser): Promise<void>;
  /**
   * The teammate left (deactivated in Slack): their connected account is deleted and everything that would still
   * act for them stops, with an audit entry. Undefined when the bot never knew them (nothing to do).
   */
  offboard(user: SlackUser): Promise<Awaited<ReturnType<AccountService['disconnect']>> | undefined>;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;

export function createAccountService(deps: {
  identities: IdentityStore;
  gateway: CachedGateway;
  admins: Pick<AdminDirectory, 'forget'>;
  pendingActions: PendingActions;
  parked: ParkedRequests;
  audit: AuditLog;
  watches: AccountWatches;
  /** Breakages Scalekit reported, and what resumes once they reconnect. */
  health: Pick<ConnectionHealth, 'healed'>;
  breaks: Pick<ConnectionBreaks, 'brokenStatus'>;
  /** Their other background work (My queue), stopped with the account. */
  stopBackground: (user: SlackUser) => Promise<void>;
  client: webApi.WebClient;
  logger: Logger;
  now: () => number;
}): AccountService {
  const { identities, gateway, audit, now } = deps;
  const connectionEntry = (user: SlackUser, identifier: string, outcome: string) =>
    audit.record({
      at: now(),
      kind: 'connection',
      ...user,
      identifier,
      toolName: 'intercom_connection',
      summary: outcome,
      outcome,
    });

  return {
    async summary(user) {
      const identifier = await identities.identifierFor(user);
      // Status asks Scalekit afresh: it must show the truth, not what was cached minutes ago.
      gateway.forget(identifier);
      const account = await gateway.accountStatus(identifier);
      const week = await audit.activity(user, now() - WEEK_MS);
      return {
        connected: account?.active === true,
        statusName: account?.statusName ?? 'NOT_CONNECTED',
        connectedSince: (await audit.lastConnected(user)) ?? account?.updatedAt?.getTime(),
        lastUsed: week.lastUsed ?? account?.lastUsedAt?.getTime(),
        toolCallsThisWeek: week.toolCalls,
        approvedThisWeek: week.approved,
        watching: await deps.watches.countOpen(user),
        broken: account?.active === true ? undefined : await deps.breaks.brokenStatus(user),
      };
    },

    disconnect: async (user) => cutOff(user, await identities.identifierFor(user), 'disconnected'),

    async offboard(user) {
      const identifier = await identities.knownIdentifier(user);
      if (!identifier) return undefined;
      return cutOff(user, identifier, 'offboarded: deactivated in Slack');
    },

    async connected(user) {
      const identifier = await identities.identifierFor(user);
      deps.admins.forget(identifier);
      await connectionEntry(user, identifier, 'connected');
      await deps.health.healed(user);
    },
  };

  async function cutOff(user: SlackUser, identifier: ScalekitIdentifier, outcome: string) {
    // First at Scalekit: if that fails nothing else changes, and the user can simply try again.
    await gateway.deleteAccount(identifier);
    deps.admins.forget(identifier);
    const cancelled = await deps.pendingActions.cancelAllFor(user, now());
    const droppedRequests = await deps.parked.dropFor(user);
    const endedWatches = await deps.watches.endAllFor(user);
    await deps.stopBackground(user);
    await connectionEntry(user, identifier, outcome);
    for (const action of cancelled) {
      await updateOrPost(
        deps.client,
        { channel: action.channel, threadTs: action.threadTs, ts: action.messageTs },
        buildApprovalMessage(action, { kind: 'cancelled', by: user.userId }),
      ).catch((error: unknown) => deps.logger.warn('Could not mark a preview cancelled', error));
    }
    return { cancelledActions: cancelled.length, droppedRequests, endedWatches };
  }
}

/** What the person who disconnected is told: what was cut off, and how to come back. */
export function describeDisconnect({
  cancelledActions,
  droppedRequests,
  endedWatches,
}: Awaited<ReturnType<AccountService['disconnect']>>): string {
  return `Disconnected: your Intercom connection is deleted at Scalekit${
    cancelledActions > 0 ? `, ${cancelledActions} pending approval(s) cancelled` : ''
  }${droppedRequests > 0 ? `, ${droppedRequests} waiting request(s) dropped` : ''}${
    endedWatches > 0 ? `, ${plural(endedWatches, 'watched conversation')} no longer watched` : ''
  }. \`/connect-intercom\` connects again.`;
}

export function describeSummary(summary: AccountSummary): string {
  if (!summary.connected && summary.broken) {
    return `:warning: Your Intercom connection broke (Scalekit says ${escapeMrkdwn(summary.broken.toLowerCase().replaceAll('_', ' '))}). *Reconnect* it: what the bot does for you in the background is paused until then.`;
  }
  if (!summary.connected) {
    const paused =
      summary.watching > 0
        ? ` ${plural(summary.watching, 'watched conversation')} ${summary.watching === 1 ? 'waits' : 'wait'} for you to reconnect.`
        : '';
    return `:x: Your Intercom account is not connected (${escapeMrkdwn(summary.statusName.toLowerCase().replaceAll('_', ' '))}). \`/connect-intercom\` sends you a link.${paused}`;
  }
  const since = summary.connectedSince ? ` since ${slackDate(summary.connectedSince)}` : '';
  const last = summary.lastUsed ? `Last used ${slackDate(summary.lastUsed)}.` : 'Not used yet.';
  return [
    `:white_check_mark: Your Intercom account is connected${since}. ${last}`,
    `Last 7 days: ${plural(summary.toolCallsThisWeek, 'Intercom lookup')}, ${plural(summary.approvedThisWeek, 'approved change')}.`,
    `Watching ${plural(summary.watching, 'conversation')} for you${summary.watching > 0 ? ' (App Home lists them)' : ''}.`,
    '`/connect-intercom disconnect` cuts it off.',
  ].join('\n');
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
