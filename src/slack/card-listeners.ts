import type { App, types } from '@slack/bolt';
import {
  CARD_ACTIONS,
  CARD_PICK_BLOCK,
  CARD_PICK_INPUT,
  CARD_TEXT_BLOCK,
  CARD_TEXT_INPUT,
  CARD_VIEW,
  type CardAction,
} from '../conversation-cards/card-blocks.ts';
import type { ConversationCards } from '../conversation-cards/conversation-cards.ts';
import type { WorkQueue } from '../delivery/work-queue.ts';
import type { Logger } from '../logger.ts';
import { actingUser } from './acting-user.ts';
import { fromSlackInput } from './incoming-text.ts';

export interface CardListenerDeps {
  cards: Pick<ConversationCards, 'onClick' | 'onSubmit'>;
  queue: Pick<WorkQueue, 'track'>;
  logger: Logger;
}

const BY_ACTION_ID = new Map<string, CardAction>(
  Object.entries(CARD_ACTIONS).map(([kind, id]) => [id, kind as CardAction]),
);

/** The controls of conversation cards, and the modals they open. */
export function registerCardListeners(app: App, deps: CardListenerDeps): void {
  app.action(/^conv_/, async ({ ack, body, action, client }) => {
    await ack();
    if (body.type !== 'block_actions' || !('action_id' in action)) return;
    const kind = BY_ACTION_ID.get(action.action_id);
    // Who acts comes from Slack's signed payload (user and team); the value only names the conversation.
    const user = actingUser(body);
    if (!kind || !user) return;
    // A button's value is the conversation; a menu's is "<choice>:<conversation>".
    const raw =
      action.type === 'button'
        ? action.value
        : action.type === 'static_select' || action.type === 'overflow'
          ? action.selected_option?.value
          : undefined;
    if (typeof raw !== 'string' || !raw) return;
    // A Work Object's snooze and overflow entries are buttons whose value carries the choice as a menu's does.
    const chosen = action.type !== 'button' || kind === 'snooze' || kind === 'more';
    const [choice, conversationId] = chosen ? splitChoice(raw) : [undefined, raw];
    if (!conversationId) return;
    const message = body.message as
      | { ts?: string; thread_ts?: string; text?: string; blocks?: types.KnownBlock[] }
      | undefined;
    const channel = body.channel?.id;
    const place =
      channel && message?.ts ? { channel, ts: message.ts, threadTs: message.thread_ts ?? message.ts } : undefined;
    try {
      await deps.queue.track(
        deps.cards.onClick({
          action: kind,
          conversationId,
          choice,
          user,
          place,
          blocks: message?.blocks,
          messageText: message?.text,
          triggerId: body.trigger_id,
          // Every payload of one double click carries the same message, control and value (not the same action_ts).
          clickKey: [user.teamId, user.userId, channel ?? '', message?.ts ?? '', action.action_id, raw].join('|'),
          client,
        }),
      );
    } catch (error) {
      deps.logger.error('Handling a conversation card click failed', { action: kind }, error);
    }
  });

  app.view(CARD_VIEW, async ({ ack, body, view, client }) => {
    const values = view.state.values;
    const typed = values[CARD_TEXT_BLOCK]?.[CARD_TEXT_INPUT]?.value;
    const text = typeof typed === 'string' ? fromSlackInput(typed) : undefined;
    if (values[CARD_TEXT_BLOCK] && !text?.trim()) {
      await ack({ response_action: 'errors', errors: { [CARD_TEXT_BLOCK]: 'Write something to send, or Cancel.' } });
      return;
    }
    await ack();
    const user = actingUser(body);
    if (!user) return;
    try {
      await deps.queue.track(
        deps.cards.onSubmit({
          user,
          metadata: view.private_metadata,
          text,
          picked: values[CARD_PICK_BLOCK]?.[CARD_PICK_INPUT]?.selected_option?.value ?? undefined,
          client,
        }),
      );
    } catch (error) {
      deps.logger.error('Handling a conversation card modal failed', error);
    }
  });
}

function splitChoice(value: string): [string, string] {
  const at = value.indexOf(':');
  return at === -1 ? ['', ''] : [value.slice(0, at), value.slice(at + 1)];
}
