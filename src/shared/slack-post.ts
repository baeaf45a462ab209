import type { types, webApi } from '@slack/bolt';

/**
 * Shows `message` in place of an earlier bot message, or as a new message in the thread when there is none (its ts
 * was lost to a restart) or it is gone (deleted by someone). Failures are the caller's to log.
 */
export async function updateOrPost(
  client: webApi.WebClient,
  target: { channel: string; threadTs: string; ts?: string | null },
  message: { text: string; blocks?: types.KnownBlock[] },
): Promise<void> {
  const post = () => client.chat.postMessage({ channel: target.channel, thread_ts: target.threadTs, ...message });
  if (!target.ts) {
    await post();
    return;
  }
  try {
    await client.chat.update({ channel: target.channel, ts: target.ts, ...message });
  } catch (error) {
    if ((error as { data?: { error?: string } }).data?.error !== 'message_not_found') throw error;
    await post();
  }
}
