import type { App } from '@slack/bolt';
import type { WorkQueue } from '../delivery/work-queue.ts';
import type { Logger } from '../logger.ts';
import type { SlackUser } from '../shared/messages.ts';
import type { Unfurls } from '../unfurls/unfurls.ts';

export interface UnfurlListenerDeps {
  unfurls: Unfurls;
  queue: Pick<WorkQueue, 'track'>;
  logger: Logger;
}

/** Intercom links pasted in Slack, and the details pane each viewer opens on them. Bolt acknowledges events at once. */
export function registerUnfurlListeners(app: App, deps: UnfurlListenerDeps): void {
  /** Work for the teammate Slack's signed event names: only their own Intercom is read for them. */
  const run = async (what: string, teamId: string, userId: string, work: (user: SlackUser) => Promise<void>) => {
    try {
      await deps.queue.track(work({ teamId, userId }));
    } catch (error) {
      deps.logger.error(what, { userId }, error);
    }
  };

  app.event('link_shared', async ({ event, context, client }) => {
    // Slack sends none for the app's own messages (and Bolt drops the bot's own events); this holds either way.
    if (!context.teamId || !event.user || event.user === context.botUserId) return;
    await run('Unfurling Intercom links failed', context.teamId, event.user, (user) =>
      deps.unfurls.onLinksShared({
        user,
        channel: event.channel,
        messageTs: event.message_ts,
        unfurlId: event.unfurl_id,
        source: event.source,
        urls: (event.links ?? []).map((l) => l.url).filter((url): url is string => typeof url === 'string'),
        client,
      }),
    );
  });

  app.event('entity_details_requested', async ({ event, context, client }) => {
    if (!context.teamId || !event.user || !event.trigger_id) return;
    await run('Showing Intercom details failed', context.teamId, event.user, (user) =>
      deps.unfurls.onDetailsRequested({
        user,
        triggerId: event.trigger_id,
        externalRef: event.external_ref,
        appUnfurlUrl: event.app_unfurl_url,
        client,
      }),
    );
  });
}
