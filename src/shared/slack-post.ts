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

/**
 * A person's time zone (an IANA name) from their Slack profile, for saying and choosing times in their own zone;
 * undefined, which callers take as UTC, when Slack does not say or cannot be asked (`onError` hears why).
 */
export function timeZoneOf(
  client: webApi.WebClient,
  userId: string,
  onError: (error: unknown) => void,
): Promise<string | undefined> {
  return client.users.info({ user: userId }).then(
    (info) => info.user?.tz,
    (error: unknown) => {
      onError(error);
      return undefined;
    },
  );
}
