import type { App, webApi } from '@slack/bolt';
import { FEEDBACK_ACTION, UNFOLLOW_ACTION } from '../agent/answer-blocks.ts';
import { APPROVAL_ACTIONS, EDIT_BLOCK, EDIT_INPUT, EDIT_VIEW } from '../approvals/approval-blocks.ts';
import type { ApprovalDecision, Approvals } from '../approvals/approvals.ts';
import type { CommandReply } from '../connect/connect-command.ts';
import { CONNECT_BUTTON_ACTION, DISCONNECT_ACTIONS, HOME_CONNECT_ACTION } from '../connect/connect-messages.ts';
import { CARD_ACTIONS, CARD_VIEW } from '../conversation-cards/card-blocks.ts';
import { replyForError } from '../errors.ts';
import type { SlackUser } from '../identity/identity-store.ts';
import { QUEUE_ACTIONS } from '../queue/queue-blocks.ts';
import { WATCH_ACTIONS } from '../watches/watch-blocks.ts';
import { actingUser } from './acting-user.ts';
import { type AgentListenerDeps, registerAgentListeners } from './agent-listeners.ts';
import { type CardListenerDeps, registerCardListeners } from './card-listeners.ts';
import { fromSlackInput } from './incoming-text.ts';
import { type LifecycleListenerDeps, registerLifecycleListeners } from './lifecycle-listeners.ts';
import { type MessageListenerDeps, registerMessageListeners } from './message-listeners.ts';
import { registerUnfurlListeners, type UnfurlListenerDeps } from './unfurl-listeners.ts';
import { registerWatchListeners, type WatchListenerDeps } from './watch-listeners.ts';

export interface ListenerDeps
  extends MessageListenerDeps,
    AgentListenerDeps,
    LifecycleListenerDeps,
    Pick<WatchListenerDeps, 'onWatchClick'>,
    Pick<CardListenerDeps, 'cards'>,
    Pick<UnfurlListenerDeps, 'unfurls'> {
  /** `/connect-intercom`: the ephemeral answer for the person who ran it. */
  onConnectCommand: (user: SlackUser, text: string, client: webApi.WebClient) => Promise<CommandReply>;
  /** The teammate's own account: App Home, connect from Home, and disconnect (after Slack's confirm dialog). */
  account: {
    publishHome: (user: SlackUser) => Promise<void>;
    connect: (user: SlackUser, client: webApi.WebClient) => Promise<void>;
    disconnect: (user: SlackUser) => Promise<string>;
    /** My queue's on/off button in App Home. */
    setQueue: (user: SlackUser, on: boolean) => Promise<void>;
  };
  approvals: Pick<Approvals, 'onDecision' | 'onEdited'>;
}

const DECISIONS: Record<string, ApprovalDecision> = {
  [APPROVAL_ACTIONS.send]: 'send',
  [APPROVAL_ACTIONS.edit]: 'edit',
  [APPROVAL_ACTIONS.cancel]: 'cancel',
};

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerMessageListeners(app, deps);
  registerAgentListeners(app, deps);
  registerWatchListeners(app, deps);
  registerLifecycleListeners(app, deps);
  registerCardListeners(app, deps);
  registerUnfurlListeners(app, deps);

  app.command('/connect-intercom', async ({ ack, command, respond, client }) => {
    // Acknowledge first: Slack gives up after 3 s, and Scalekit may take longer than that.
    await ack();
    let reply: CommandReply;
    try {
      reply = await deps.onConnectCommand({ teamId: command.team_id, userId: command.user_id }, command.text, client);
    } catch (error) {
      deps.logger.error('/connect-intercom failed', { userId: command.user_id }, error);
      reply = { text: replyForError(error) };
    }
    await respond({ response_type: 'ephemeral', ...reply });
  });

  app.event('app_home_opened', async ({ event, context }) => {
    if (event.tab !== 'home' || !context.teamId) return;
    await deps.account
      .publishHome({ teamId: context.teamId, userId: event.user })
      .catch((error: unknown) => deps.logger.error('Publishing App Home failed', error));
  });

  app.action(DISCONNECT_ACTIONS.confirm, async ({ ack, body, respond }) => {
    await ack();
    const user = actingUser(body);
    if (!user) return;
    let text: string;
    try {
      text = await deps.account.disconnect(user);
    } catch (error) {
      deps.logger.error('Disconnecting failed', { userId: user.userId }, error);
      text = replyForError(error);
    }
    // From an ephemeral message: replace it. From App Home: show the new state there.
    if (body.type === 'block_actions' && body.container?.type === 'view') {
      await deps.account.publishHome(user).catch((e: unknown) => deps.logger.warn('Republishing Home failed', e));
    } else {
      await respond({ response_type: 'ephemeral', replace_original: true, text });
    }
  });

  app.action(DISCONNECT_ACTIONS.keep, async ({ ack, respond }) => {
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: true, text: 'OK, your Intercom connection stays.' });
  });

  app.action(HOME_CONNECT_ACTION, async ({ ack, body, client }) => {
    await ack();
    const user = actingUser(body);
    if (!user) return;
    await deps.account
      .connect(user, client)
      .catch((error: unknown) => deps.logger.error('Connecting from App Home failed', error));
  });

  app.action(/^queue_(on|off)$/, async ({ ack, body, action }) => {
    await ack();
    // Whose queue comes from Slack's signed payload: the clicker's own, nothing else.
    const user = actingUser(body);
    if (body.type !== 'block_actions' || !('action_id' in action) || !user) return;
    try {
      await deps.account.setQueue(user, action.action_id === QUEUE_ACTIONS.on);
      await deps.account.publishHome(user);
    } catch (error) {
      deps.logger.error('Turning My queue on or off failed', { userId: user.userId }, error);
    }
  });

  // A URL button still sends a block_actions payload, which must be acknowledged.
  app.action(CONNECT_BUTTON_ACTION, async ({ ack }) => {
    await ack();
  });

  app.action(/^approval_(send|edit|cancel)$/, async ({ ack, body, action }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action) || !body.team?.id) return;
    const decision = DECISIONS[action.action_id];
    if (!decision || typeof action.value !== 'string') return;
    try {
      await deps.queue.track(
        deps.approvals.onDecision({
          decision,
          actionId: action.value,
          // Who clicked comes from Slack's signed payload; the button's value only names the action.
          user: { teamId: body.team.id, userId: body.user.id },
          channel: body.channel?.id,
          triggerId: body.trigger_id,
        }),
      );
    } catch (error) {
      deps.logger.error('Handling an approval click failed', { decision }, error);
    }
  });

  // Anything else interactive (an old button, a forged payload) is acknowledged at once rather than left to
  // Bolt's 3-second timeout and a 404.
  const known = [
    ...Object.values(APPROVAL_ACTIONS),
    ...Object.values(DISCONNECT_ACTIONS),
    CONNECT_BUTTON_ACTION,
    HOME_CONNECT_ACTION,
    FEEDBACK_ACTION,
    UNFOLLOW_ACTION,
    ...Object.values(WATCH_ACTIONS),
    ...Object.values(QUEUE_ACTIONS),
    ...Object.values(CARD_ACTIONS),
  ];
  app.action({ action_id: new RegExp(`^(?!(${known.join('|')})$)`) }, async ({ ack }) => {
    await ack();
  });
  app.view({ callback_id: new RegExp(`^(?!(${EDIT_VIEW}|${CARD_VIEW})$)`) }, async ({ ack }) => {
    await ack();
  });
  app.shortcut(/.*/, async ({ ack }) => {
    await ack();
  });
  app.options(/.*/, async ({ ack }) => {
    await ack();
  });
  app.command(/^(?!\/connect-intercom$)/, async ({ ack }) => {
    await ack({ response_type: 'ephemeral', text: "I don't know that command. Try `/connect-intercom help`." });
  });

  app.view(EDIT_VIEW, async ({ ack, body, view }) => {
    // Sent as typed: what the teammate saw in the box is what the customer gets.
    const text = fromSlackInput(view.state.values[EDIT_BLOCK]?.[EDIT_INPUT]?.value ?? '');
    if (!text.trim()) {
      await ack({
        response_action: 'errors',
        errors: { [EDIT_BLOCK]: 'Write the text to send, or close this and Cancel.' },
      });
      return;
    }
    await ack();
    const user = actingUser(body);
    if (!user) return;
    try {
      await deps.queue.track(deps.approvals.onEdited({ actionId: view.private_metadata, user, text }));
    } catch (error) {
      deps.logger.error('Handling an edited approval failed', error);
    }
  });
}
