import type { types, webApi } from '@slack/bolt';
import type { AuditLog, AuditRecord } from '../audit/audit-log.ts';
import { type AccountService, type AccountSummary, describeSummary } from '../connect/account.ts';
import { disconnectButton, HOME_CONNECT_ACTION } from '../connect/connect-messages.ts';
import type { SlackUser } from '../identity/identity-store.ts';
import { escapeMrkdwn, inlineCode } from '../shared/escape.ts';
import { slackDate } from '../shared/mrkdwn.ts';

/** Publishes a teammate's App Home: their connection and their own last actions, for them only. */
export function createHomePublisher(deps: {
  account: Pick<AccountService, 'summary'>;
  audit: Pick<AuditLog, 'recent'>;
  client: webApi.WebClient;
  /** The workspace's URL (from auth.test), for links to threads. */
  workspaceUrl?: string;
}): (user: SlackUser) => Promise<void> {
  return async (user) => {
    const summary = await deps.account.summary(user);
    const recent = deps.audit.recent(user, 10).filter((e) => e.kind !== 'connection');
    await deps.client.views.publish({
      user_id: user.userId,
      view: buildHomeView(summary, recent, deps.workspaceUrl),
    });
  };
}

function buildHomeView(summary: AccountSummary, recent: AuditRecord[], workspaceUrl?: string): types.View {
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
              text: { type: 'plain_text', text: 'Connect Intercom' },
            },
      ],
    },
    { type: 'divider' },
    { type: 'header', text: { type: 'plain_text', text: 'Your recent actions' } },
  ];
  if (recent.length === 0) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Nothing yet.' }] });
  }
  for (const entry of recent) {
    const thread =
      workspaceUrl && entry.channel && entry.threadTs
        ? ` · <${workspaceUrl}archives/${entry.channel}/p${entry.threadTs.replace('.', '')}|thread>`
        : '';
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
