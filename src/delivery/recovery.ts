import type { webApi } from '@slack/bolt';
import { buildApprovalMessage } from '../approvals/approval-blocks.ts';
import type { PendingActions } from '../approvals/pending-actions.ts';
import type { ParkedRequests } from '../connect/parked-requests.ts';
import type { Logger } from '../logger.ts';
import { updateOrPost } from '../shared/slack-post.ts';
import type { Inbox } from './inbox.ts';

const INTERRUPTED_TEXT =
  "Sorry, I was restarted while working on this and didn't finish. Nothing was changed in Intercom without your approval; please ask me again.";

/**
 * After a crash of this process or another (gone since `aliveSince`): tell the people whose requests were cut off, and mark approvals that were mid-send as unknown
 * (Intercom may or may not have received them) rather than pretending either way.
 */
export async function recoverFromCrash(deps: {
  inbox: Pick<Inbox, 'takeInterrupted'>;
  parked: ParkedRequests;
  pendingActions: PendingActions;
  client: webApi.WebClient;
  logger: Logger;
  now: () => number;
  aliveSince: number;
}): Promise<void> {
  const { client, logger } = deps;
  const threads = [
    ...(await deps.inbox.takeInterrupted(deps.aliveSince)),
    ...(await deps.parked.takeInterrupted(deps.aliveSince)).map((r) => ({
      channel: r.message.channel,
      threadTs: r.message.threadTs,
    })),
  ];
  for (const thread of threads) {
    await client.chat
      .postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: INTERRUPTED_TEXT })
      .catch((error: unknown) => logger.warn('Could not report an interrupted request', error));
  }
  for (const action of await deps.pendingActions.takeInterrupted(deps.now(), deps.aliveSince)) {
    await updateOrPost(
      client,
      { channel: action.channel, threadTs: action.threadTs, ts: action.messageTs },
      buildApprovalMessage(action, { kind: 'unknown' }),
    ).catch((error: unknown) => logger.warn('Could not report an interrupted approval', error));
  }
  if (threads.length > 0) logger.info('Reported requests interrupted by the last stop', { count: threads.length });
}
