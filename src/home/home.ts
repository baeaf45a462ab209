import type { types, webApi } from '@slack/bolt';
import type { AuditLog, AuditRecord } from '../audit/audit-log.ts';
import { type AccountService, type AccountSummary, describeSummary } from '../connect/account.ts';
import { disconnectButton, HOME_CONNECT_ACTION } from '../connect/connect-messages.ts';
import type { SlackUser } from '../identity/identity-store.ts';
import type { MyQueue } from '../queue/my-queue.ts';
import { queueHomeBlocks } from '../queue/queue-blocks.ts';
import { escapeMrkdwn, inlineCode } from '../shared/escape.ts';
import { slackDate } from '../shared/mrkdwn.ts';
import { WATCH_ACTIONS } from '../watches/watch-blocks.ts';
import type { Watch } from '../watches/watch-store.ts';

/** Publishes a teammate's App Home: their connection, their watches and their own last actions, for them only. */
export function createHomePublisher(deps: {
  account: Pick<AccountService, 'summary'>;
  queue: Pick<MyQueue, 'homeState'>;
  now: () => number;
  audit: Pick<AuditLog, 'recent'>;
  watches: { openFor(user: SlackUser): Promise<Watch[]> };
  client: webApi.WebClient;
  /** The workspace's URL (from auth.test), for links to threads. */
  workspaceUrl?: string;
}): (user: SlackUser) => Promise<void> {
  return async (user) => {
    const summary = await deps.account.summary(user);
    const recent = (await deps.audit.recent(user, 10)).filter((e) => e.kind !== 'connection');
    const queue = queueHomeBlocks(await deps.queue.homeState(user), deps.now());
    await deps.client.views.publish({
      user_id: user.userId,
      view: buildHomeView(summary, recent, queue, await deps.watches.openFor(user), deps.workspaceUrl),
    });
  };
}

function buildHomeView(
  summary: AccountSummary,
  recent: AuditRecord[],
  queue: types.KnownBlock[],
  watches: Watch[],
  workspaceUrl?: string,
): types.View {
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Your Intercom connection' } },
    { type: 'section', text: { type: 'mrkdwn', text: describeSummary(summary) } },
    {
      type: 'actions',
      elements: [
        summary.connected
          ? disconnectButton()
          : {
              type: 'button',
              action_id: HOME_CONNECT_ACTION,
              style: 'primary',
              text: { type: 'plain_text', text: summary.broken ? 'Reconnect Intercom' : 'Connect Intercom' },
            },
      ],
    },
    { type: 'divider' },
    ...queue,
    ...watchBlocks(watches, workspaceUrl),
    { type: 'header', text: { type: 'plain_text', text: 'Your recent actions' } },
  ];
  if (recent.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing yet.' }] });
  }
  for (const entry of recent) {
    const thread = threadLink(workspaceUrl, entry.channel, entry.threadTs);
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${slackDate(entry.at)} · ${inlineCode(entry.toolName)} · ${entry.kind === 'approval' ? 'approval: ' : ''}${escapeMrkdwn(entry.outcome)}${thread}`,
        },
      ],
    });
  }
  return { type: 'home', blocks };
}

/** The conversations watched for this teammate, each with a Stop button (Slack allows 100 blocks; at most 20 here). */
function watchBlocks(watches: Watch[], workspaceUrl?: string): types.KnownBlock[] {
  if (watches.length === 0) return [];
  return [
    { type: 'header', text: { type: 'plain_text', text: 'Conversations you are watching' } },
    ...watches.map(
      (watch): types.KnownBlock => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `Conversation ${escapeMrkdwn(watch.conversationId)}${watch.customer ? ` · ${escapeMrkdwn(watch.customer)}` : ''} · since ${slackDate(watch.createdAt)}${watch.status === 'paused' ? ' · _paused until you reconnect_' : ''}${threadLink(workspaceUrl, watch.channel, watch.threadTs)}`,
        },
        accessory: {
          type: 'button',
          action_id: WATCH_ACTIONS.stop,
          text: { type: 'plain_text', text: 'Stop' },
          value: watch.id,
        },
      }),
    ),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: 'A watch ends when the conversation is closed, or after 7 days without activity.' },
      ],
    },
    { type: 'divider' },
  ];
}

function threadLink(workspaceUrl: string | undefined, channel?: string, threadTs?: string): string {
  return workspaceUrl && channel && threadTs
    ? ` · <${workspaceUrl}archives/${channel}/p${threadTs.replace('.', '')}|thread>`
    : '';
}
