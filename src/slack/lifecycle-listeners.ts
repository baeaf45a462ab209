import type { App } from '@slack/bolt';
import type { Logger } from '../logger.ts';
import type { SlackUser } from '../shared/messages.ts';

export interface LifecycleListenerDeps {
  lifecycle: {
    /** A teammate was deactivated in Slack. */
    offboard(user: SlackUser): Promise<void>;
    /** The bot can no longer act in this workspace (uninstalled, or its token revoked). */
    workspaceGone(teamId: string, why: 'app_uninstalled' | 'tokens_revoked'): Promise<void>;
  };
  logger: Logger;
}

/** People leaving and the app leaving: Slack's lifecycle events. Bolt acknowledges each before the listener runs. */
export function registerLifecycleListeners(app: App, deps: LifecycleListenerDeps): void {
  const { logger } = deps;
  const workspaceGone = (teamId: string, why: 'app_uninstalled' | 'tokens_revoked') =>
    deps.lifecycle
      .workspaceGone(teamId, why)
      .catch((error: unknown) =>
        logger.error('Stopping the work of a workspace the bot lost failed', { teamId, why }, error),
      );

  app.event('user_change', async ({ event, context }) => {
    // Every profile edit arrives here; only a deactivation matters.
    if (event.user.deleted !== true) return;
    const teamId = context.teamId ?? event.user.team_id;
    if (!teamId) return;
    await deps.lifecycle
      .offboard({ teamId, userId: event.user.id })
      .catch((error: unknown) =>
        logger.error('Offboarding a deactivated teammate failed', { userId: event.user.id }, error),
      );
  });

  app.event('tokens_revoked', async ({ event, context }) => {
    // Revoked user tokens (Sign in with Slack) leave the bot able to work; a revoked bot token does not.
    if (!context.teamId || (event.tokens.bot ?? []).length === 0) return;
    await workspaceGone(context.teamId, 'tokens_revoked');
  });

  app.event('app_uninstalled', async ({ context }) => {
    if (!context.teamId) return;
    await workspaceGone(context.teamId, 'app_uninstalled');
  });
}
