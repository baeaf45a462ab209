import type { App } from '@slack/bolt';
import { FEEDBACK_ACTION, UNFOLLOW_ACTION } from '../agent/answer-blocks.ts';
import type { FeedbackVerdict } from '../agent/feedback.ts';
import type { Logger } from '../logger.ts';
import type { SlackUser } from '../shared/messages.ts';
import { actingUser } from './acting-user.ts';

export interface AgentListenerDeps {
  /** A click on an answer's feedback buttons; undefined for a value we never sent. */
  recordFeedback: (click: {
    user: SlackUser;
    channel: string;
    threadTs?: string;
    messageTs: string;
    value: string;
  }) => Promise<FeedbackVerdict | undefined>;
  /** Someone pressed Stop following in the thread; returns what to tell them (only its requesters may). */
  unfollow: (thread: { channel: string; threadTs: string }, user: SlackUser) => Promise<string>;
  /** Slack's Stop on an agent session: aborts the run in that thread, if any. */
  stopRun: (thread: { channel: string; threadTs: string }) => boolean;
  /** The prompts for the Messages tab, fitting this teammate's state. */
  suggestedPrompts: (user: SlackUser) => Promise<Array<{ title: string; message: string }>>;
  logger: Logger;
}

/** Slack's agent surface: feedback buttons, Stop following, the Stop button of a session, the Messages tab. */
export function registerAgentListeners(app: App, deps: AgentListenerDeps): void {
  app.action(FEEDBACK_ACTION, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'feedback_buttons') return;
    const user = actingUser(body);
    const channel = body.channel?.id;
    const messageTs = body.message?.ts;
    if (!user || !channel || !messageTs) return;
    const threadTs = (body.message as { thread_ts?: string } | undefined)?.thread_ts;
    const verdict = await deps.recordFeedback({ user, channel, threadTs, messageTs, value: action.value });
    if (!verdict) return;
    await client.chat
      .postEphemeral({
        channel,
        user: user.userId,
        thread_ts: threadTs ?? messageTs,
        text:
          verdict === 'positive'
            ? 'Thanks for the feedback!'
            : "Thanks for telling me. If you have a moment, reply in the thread with what was wrong and I'll try again.",
      })
      .catch((error: unknown) => deps.logger.warn('Could not thank for feedback', error));
  });

  app.action(UNFOLLOW_ACTION, async ({ ack, body, client }) => {
    await ack();
    // Who pressed it comes from Slack's signed payload.
    const user = actingUser(body);
    if (body.type !== 'block_actions' || !body.channel?.id || !body.message?.ts || !user) return;
    const threadTs = (body.message as { thread_ts?: string }).thread_ts ?? body.message.ts;
    const text = await deps.unfollow({ channel: body.channel.id, threadTs }, user);
    await client.chat
      .postEphemeral({ channel: body.channel.id, user: body.user.id, thread_ts: threadTs, text })
      .catch((error: unknown) => deps.logger.warn('Could not confirm unfollowing', error));
  });

  app.event('agent_session_stopped', async ({ event }) => {
    const stopped = deps.stopRun({ channel: event.channel, threadTs: event.thread_ts });
    deps.logger.info('Slack stopped an agent session', { channel: event.channel, runStopped: stopped });
  });

  app.event('app_home_opened', async ({ event, context, client }) => {
    if (event.tab !== 'messages' || !context.teamId) return;
    const prompts = await deps.suggestedPrompts({ teamId: context.teamId, userId: event.user });
    await client.assistant.threads
      .setSuggestedPrompts({ channel_id: event.channel, prompts })
      .catch((error: unknown) => deps.logger.debug('Suggested prompts were not set', { error: String(error) }));
  });
}
