import type { App } from '@slack/bolt';
import type { WorkQueue } from '../delivery/work-queue.ts';
import type { Logger } from '../logger.ts';
import type { Unfurls } from '../unfurls/unfurls.ts';

export interface UnfurlListenerDeps {
  unfurls: Unfurls;
  queue: Pick<WorkQueue, 'track'>;
  logger: Logger;
}

/** Intercom links pasted in Slack, and the details pane each viewer opens on them. Bolt acknowledges events at once. */
export function registerUnfurlListeners(app: App, deps: UnfurlListenerDeps): void {
  app.event('link_shared', async ({ event, context, client }) => {
    // Slack sends none for the app's own messages; a link the bot itself posted is never unfurled by it either way.
    if (!context.teamId || !event.user || event.user === context.botUserId) return;
    try {
      await deps.queue.track(
        deps.unfurls.onLinksShared({
          user: { teamId: context.teamId, userId: event.user },
          channel: event.channel,
          messageTs: event.message_ts,
          unfurlId: event.unfurl_id,
          source: event.source,
          urls: (event.links ?? []).map((l) => l.url).filter((url): url is string => typeof url === 'string'),
          client,
        }),
      );
    } catch (error) {
      deps.logger.error('Unfurling Intercom links failed', { userId: event.user }, error);
    }
  });

  app.event('entity_details_requested', async ({ event, context, client }) => {
    if (!context.teamId || !event.user || !event.trigger_id) return;
    try {
      await deps.queue.track(
        deps.unfurls.onDetailsRequested({
          user: { teamId: context.teamId, userId: event.user },
          triggerId: event.trigger_id,
          externalRef: event.external_ref,
          appUnfurlUrl: event.app_unfurl_url,
          client,
        }),
      );
    } catch (error) {
      deps.logger.error('Showing Intercom details failed', { userId: event.user }, error);
    }
  });
}
