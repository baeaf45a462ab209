import type { webApi } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { Inbox } from './inbox.ts';

const INTERRUPTED_TEXT =
  "Sorry, I was restarted while working on this and didn't finish. Nothing was changed in Intercom without your approval; please ask me again.";

export interface InterruptedThread {
  channel: string;
  threadTs: string;
}

/**
 * A feature with work a stop can cut off. Delivery knows no feature: each registers one of these, settles its own
 * records (saying what it needs to say, in its own words), and names the threads that get the common notice.
 */
export interface RecoveryParticipant {
  /** Settles this feature's interrupted work; returns the threads whose request was lost. */
  recover(): Promise<InterruptedThread[]>;
}

/**
 * After a crash: let every feature settle what it had in flight, and tell the people whose requests were cut off
 * (the inbox's and the features').
 */
export async function recoverFromCrash(deps: {
  inbox: Pick<Inbox, 'takeInterrupted'>;
  participants: readonly RecoveryParticipant[];
  client: webApi.WebClient;
  logger: Logger;
}): Promise<void> {
  const { client, logger } = deps;
  const threads: InterruptedThread[] = [...(await deps.inbox.takeInterrupted())];
  for (const participant of deps.participants) {
    threads.push(
      ...(await participant.recover().catch((error: unknown) => {
        logger.warn('A feature could not recover its interrupted work', error);
        return [];
      })),
    );
  }
  for (const thread of threads) {
    await client.chat
      .postMessage({ channel: thread.channel, thread_ts: thread.threadTs, text: INTERRUPTED_TEXT })
      .catch((error: unknown) => logger.warn('Could not report an interrupted request', error));
  }
  if (threads.length > 0) logger.info('Reported requests interrupted by the last stop', { count: threads.length });
}
