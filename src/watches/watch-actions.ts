import type { webApi } from '@slack/bolt';
import { escapeMrkdwn } from '../shared/escape.ts';
import type { MessageHandler, SlackUser } from '../shared/messages.ts';
import type { WatchAction } from './watch-blocks.ts';
import type { WatchService } from './watch-service.ts';
import type { WatchStore } from './watch-store.ts';

export interface WatchClick {
  action: WatchAction;
  /** The button's value: untrusted, it only names the watch. */
  watchId: string;
  /** Who clicked, from Slack's signed payload. */
  user: SlackUser;
  /** Slack's time of the click: the ts of the request it stands for. */
  actionTs: string;
  client: webApi.WebClient;
}

/** What the clicker is told privately, if anything (a draft shows up in the thread by itself). */
export type WatchClickHandler = (click: WatchClick) => Promise<string | undefined>;

/**
 * The buttons on announcements and App Home. Only the watcher may use them; "Draft a reply" and "Add a note" ask
 * the agent in the watch's thread as the watcher, exactly as if they had typed it, so the draft comes back as an
 * approval card.
 */
export function createWatchActions(deps: {
  store: Pick<WatchStore, 'get'>;
  service: Pick<WatchService, 'stop'>;
  /** The same handler a message from the watcher goes through (connect gate, agent, approvals). */
  handle: MessageHandler;
}): WatchClickHandler {
  return async ({ action, watchId, user, actionTs, client }) => {
    const watch = await deps.store.get(watchId);
    if (!watch) return 'I do not know this watch any more; nothing was done.';
    if (watch.teamId !== user.teamId || watch.userId !== user.userId) {
      return `Only <@${watch.userId}> can use this: it is their watch.`;
    }
    const id = watch.conversationId;
    if (action === 'stop') {
      return (await deps.service.stop(user, watch.id))
        ? `Stopped watching conversation ${escapeMrkdwn(id)}.`
        : `I had already stopped watching conversation ${escapeMrkdwn(id)}.`;
    }
    const text =
      action === 'draft'
        ? `Draft a reply to the customer's latest message in Intercom conversation ${id}. Read the conversation first, then propose the reply for my approval.`
        : `Draft an internal note on Intercom conversation ${id} about the customer's latest message. Read the conversation first, then propose the note for my approval.`;
    await deps.handle(
      {
        teamId: watch.teamId,
        userId: watch.userId,
        channel: watch.channel,
        threadTs: watch.threadTs,
        ts: actionTs,
        text,
        // Slack's DM channel ids start with D.
        isDirect: watch.channel.startsWith('D'),
      },
      client,
    );
    return undefined;
  };
}
