import type { types, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { ToolError } from '../errors.ts';
import { escapeMrkdwn } from '../shared/escape.ts';
import type { SlackUser } from '../shared/messages.ts';

// The Slack side of a card click: where the card sits, what the clicker is told, and what a modal remembers.

/** Where a card sits, so it can be updated for everyone after a change. */
export interface CardPlace {
  channel: string;
  /** The card's message. */
  ts: string;
  /** The thread it is in (its own ts when it is not a reply). */
  threadTs: string;
}

/** What a modal remembers between its opening and its submission (only which card; who acts comes from Slack). */
export interface ModalMetadata {
  kind: 'reply' | 'note' | 'tag' | 'ticket';
  conversationId: string;
  place?: CardPlace;
}

/** The blocks of the message a card sits in, as Slack has them now. */
export async function messageBlocks(
  client: webApi.WebClient,
  place: CardPlace,
): Promise<types.KnownBlock[] | undefined> {
  const replies = await client.conversations.replies({
    channel: place.channel,
    ts: place.threadTs,
    latest: place.ts,
    inclusive: true,
    limit: 200,
  });
  const message = replies.messages?.find((m) => m.ts === place.ts);
  return message?.blocks as types.KnownBlock[] | undefined;
}

/** Says something to the clicker alone: an ephemeral where the card is, a DM when it is in no channel. */
export async function tell(
  client: webApi.WebClient,
  user: SlackUser,
  place: CardPlace | undefined,
  message: { text: string; blocks?: types.KnownBlock[] },
): Promise<void> {
  if (!place) {
    // A Work Object's details pane (or App Home) has no channel to answer in: a DM from the bot instead. No preview:
    // a connect link is single-use.
    const dm = await client.conversations.open({ users: user.userId });
    if (!dm.channel?.id) throw new Error('Slack opened no DM channel');
    await client.chat.postMessage({ channel: dm.channel.id, ...message, unfurl_links: false, unfurl_media: false });
    return;
  }
  await client.chat.postEphemeral({
    channel: place.channel,
    user: user.userId,
    thread_ts: place.threadTs === place.ts ? undefined : place.threadTs,
    ...message,
  });
}

export function refusalText(what: string, error: ToolError): string {
  if (error.kind === 'forbidden') {
    return `Intercom did not let your account ${what}: it lacks the permission. Nothing was changed.`;
  }
  if (error.kind === 'auth')
    return `Your Intercom connection no longer works, so I could not ${what}. Run /connect-intercom to connect again.`;
  if (error.kind === 'rate_limited')
    return `Intercom is busy right now, so I could not ${what}. Try again in a minute.`;
  if (error.status === '404') return `Intercom could not find that conversation any more, so I could not ${what}.`;
  return `Intercom refused to ${what}: “${escapeMrkdwn(error.message)}”. Nothing was changed.`;
}

const modalMetadata = z.object({
  kind: z.enum(['reply', 'note', 'tag', 'ticket']),
  conversationId: z.string().min(1),
  place: z.object({ channel: z.string(), ts: z.string(), threadTs: z.string() }).optional(),
});

export function parseMetadata(raw: string): ModalMetadata | undefined {
  try {
    const parsed = modalMetadata.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON, so not a modal of ours: nothing to do.
    return undefined;
  }
}
