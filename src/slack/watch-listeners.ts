import type { App } from '@slack/bolt';
import type { WorkQueue } from '../delivery/work-queue.ts';
import type { Logger } from '../logger.ts';
import type { SlackUser } from '../shared/messages.ts';
import type { WatchClickHandler } from '../watches/watch-actions.ts';
import { WATCH_ACTIONS, type WatchAction } from '../watches/watch-blocks.ts';
import { actingUser } from './acting-user.ts';

export interface WatchListenerDeps {
  /** Draft a reply, Add a note, Stop watching: what the clicker is told, if anything. */
  onWatchClick: WatchClickHandler;
  /** A Stop in App Home shows the new list there. */
  account: { publishHome: (user: SlackUser) => Promise<void> };
  queue: Pick<WorkQueue, 'track'>;
  logger: Logger;
}

const BY_ACTION_ID = new Map<string, WatchAction>(
  Object.entries(WATCH_ACTIONS).map(([kind, id]) => [id, kind as WatchAction]),
);

/** The buttons of watch announcements and of App Home's watch list. */
export function registerWatchListeners(app: App, deps: WatchListenerDeps): void {
  app.action(/^watch_(draft|note|stop)$/, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    if (typeof action.value !== 'string') return;
    const kind = BY_ACTION_ID.get(action.action_id);
    // Who clicked comes from Slack's signed payload; the button's value only names the watch.
    const user = actingUser(body);
    if (!kind || !user) return;
    try {
      const notice = await deps.queue.track(
        deps.onWatchClick({ action: kind, watchId: action.value, user, actionTs: action.action_ts, client }),
      );
      if (body.container?.type === 'view') {
        await deps.account.publishHome(user);
      } else if (notice && body.channel?.id) {
        const message = body.message as { ts?: string; thread_ts?: string } | undefined;
        await client.chat.postEphemeral({
          channel: body.channel.id,
          user: user.userId,
          thread_ts: message?.thread_ts ?? message?.ts,
          text: notice,
        });
      }
    } catch (error) {
      deps.logger.error('Handling a watch button failed', { action: kind }, error);
    }
  });
}
