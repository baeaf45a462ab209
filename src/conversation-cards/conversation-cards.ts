import type { types, webApi } from '@slack/bolt';
import { buildConnectMessage } from '../connect/connect-messages.ts';
import { replyForError, ScalekitUnavailableError, ToolError } from '../errors.ts';
import type { IntercomAccount, ToolInput } from '../intercom/account.ts';
import { type ActiveAccountDeps, activeAccountOf } from '../intercom/active-account.ts';
import { type Admin, type Conversation, inboxUrl } from '../intercom/models.ts';
import type { Logger } from '../logger.ts';
import { escapeMrkdwn } from '../shared/escape.ts';
import { toIntercomHtml } from '../shared/intercom-html.ts';
import type { SlackUser } from '../shared/messages.ts';
import { timeZoneOf } from '../shared/slack-post.ts';
import { buildConversationCard, buildPickModal, buildTextModal, type CardAction, replaceCard } from './card-blocks.ts';
import type { CardClaims } from './card-claims.ts';
import {
  type CardPlace,
  type ModalMetadata,
  messageBlocks,
  parseMetadata,
  refusalText,
  tell,
} from './card-messages.ts';
import { isSnoozeChoice, SNOOZE_CHOICES, snoozeUntil } from './snooze.ts';

export interface CardClick {
  action: CardAction;
  /** From the control's value: untrusted, it only names the conversation (and a menu's choice). */
  conversationId: string;
  choice?: string;
  /** Who clicked, from Slack's signed payload: the only source of who acts. */
  user: SlackUser;
  place?: CardPlace;
  /** The message's blocks as the payload carried them, to replace the card in. */
  blocks?: types.KnownBlock[];
  messageText?: string;
  triggerId?: string;
  /** Same for every payload of one double click: the message, the control and its value. */
  clickKey: string;
  client: webApi.WebClient;
}

/** What was typed or picked in a card's modal. */
export interface CardSubmission {
  user: SlackUser;
  metadata: string;
  text?: string;
  /** The tag or ticket type chosen. */
  picked?: string;
  client: webApi.WebClient;
}

export interface ConversationCards {
  /** A control of a card was used. */
  onClick(click: CardClick): Promise<void>;
  /** Reply…, Note… or Tag… was submitted. */
  onSubmit(submission: CardSubmission): Promise<void>;
  /** The card of one conversation, as this teammate's Intercom shows it now. */
  cardFor(account: IntercomAccount, conversation: Conversation, lastAction?: string): Promise<types.KnownBlock[]>;
  /** Posts one message with a card for each conversation this teammate's Intercom still shows. */
  post(params: {
    account: IntercomAccount;
    conversationIds: string[];
    channel: string;
    threadTs: string;
    client: webApi.WebClient;
  }): Promise<void>;
}

export interface ConversationCardDeps extends ActiveAccountDeps {
  /** A fresh connect link for a teammate who has not connected Intercom. */
  issueLink: (user: SlackUser) => Promise<string>;
  claims: CardClaims;
  logger: Logger;
  now: () => number;
}

const MANAGE = 'intercom_manage_conversation';

/** Told privately when a click cannot go on; nothing has been changed. */
class CardRefusal extends Error {
  override name = 'CardRefusal';
}

/**
 * Conversation cards: each control runs as the teammate who used it, in their own Intercom with their own admin id.
 * The click is the decision (no approval card). The card then shows the conversation's new state to everyone.
 */
export function createConversationCards(deps: ConversationCardDeps): ConversationCards {
  const { logger, now } = deps;

  const cardFor: ConversationCards['cardFor'] = async (account, conversation, lastAction) => {
    const [me, admins] = await Promise.all([
      account.me().catch(() => undefined),
      conversation.assignee === null ? Promise.resolve([]) : account.admins().catch((): Admin[] => []),
    ]);
    return buildConversationCard({
      conversation,
      assigneeName: admins.find((a) => a.id === conversation.assignee)?.name,
      url: me?.workspace ? inboxUrl(me.workspace, conversation.id) : undefined,
      lastAction,
      now: now(),
    });
  };

  /** The clicker's connected account, or a connect link told to them alone and nothing else. */
  const connectedAccount = async (
    user: SlackUser,
    client: webApi.WebClient,
    place: CardPlace | undefined,
  ): Promise<IntercomAccount | undefined> => {
    const found = await activeAccountOf(deps, user);
    if (found.account) return found.account;
    const message = buildConnectMessage(
      await deps.issueLink(user),
      found.statusName === 'EXPIRED' ? 'expired' : 'needed',
    );
    await tell(client, user, place, message);
    return undefined;
  };

  /** The conversation as the clicker's Intercom shows it now, or a refusal saying why not. */
  const current = async (account: IntercomAccount, id: string): Promise<Conversation> => {
    try {
      const conversation = await account.conversation(id);
      if (conversation) return conversation;
    } catch (error) {
      if (!(error instanceof ToolError) || (error.kind !== 'failed' && error.kind !== 'forbidden')) throw error;
      if (error.kind === 'failed' && error.status !== '404') throw error;
    }
    throw new CardRefusal(
      `Conversation ${escapeMrkdwn(id)} no longer exists, or your Intercom account cannot see it. Nothing was done.`,
    );
  };

  /** Runs one write as the clicker; Intercom's refusal is said in words. */
  const write = async (
    account: IntercomAccount,
    what: string,
    tool: string,
    input: ToolInput,
    place: CardPlace | undefined,
  ): Promise<void> => {
    try {
      await account.run(tool, input, { thread: place && { channel: place.channel, threadTs: place.threadTs } });
    } catch (error) {
      if (!(error instanceof ToolError)) throw error;
      throw new CardRefusal(refusalText(what, error));
    }
  };

  /** Shows the conversation's state now on the card, for everyone in the channel. */
  const refresh = async (params: {
    account: IntercomAccount;
    conversationId: string;
    place?: CardPlace;
    blocks?: types.KnownBlock[];
    text?: string;
    lastAction: string;
    client: webApi.WebClient;
  }): Promise<void> => {
    const { account, place, client } = params;
    if (!place) return;
    const conversation = await account.conversation(params.conversationId);
    if (!conversation) return;
    const blocks = params.blocks ?? (await messageBlocks(client, place));
    if (!blocks) return;
    await client.chat.update({
      channel: place.channel,
      ts: place.ts,
      text: params.text ?? `Conversation ${conversation.id}`,
      blocks: replaceCard(blocks, conversation.id, await cardFor(account, conversation, params.lastAction)),
    });
  };

  const metadataOf = (kind: ModalMetadata['kind'], click: CardClick) =>
    JSON.stringify({ kind, conversationId: click.conversationId, place: click.place } satisfies ModalMetadata);

  const openModal = async (click: CardClick, view: types.View): Promise<void> => {
    if (click.triggerId) await click.client.views.open({ trigger_id: click.triggerId, view });
  };

  /** Tag… and Convert to ticket…: the clicker's own Intercom lists what there is to pick. */
  const pick = async (click: CardClick, account: IntercomAccount, kind: 'tag' | 'ticket'): Promise<void> => {
    const options = await optionsOf(account, kind);
    if (options.length === 0) {
      throw new CardRefusal(
        kind === 'tag'
          ? 'Your Intercom workspace has no tags yet; create one in Intercom first.'
          : 'Your Intercom workspace has no ticket types, so a conversation cannot become a ticket.',
      );
    }
    await openModal(click, buildPickModal({ kind, options, metadata: metadataOf(kind, click) }));
  };

  const act = async (click: CardClick, account: IntercomAccount): Promise<void> => {
    const { action, conversationId: id, user, place, client } = click;
    const conversation = await current(account, id);
    const me = await account.me();
    const by = `<@${user.userId}>`;
    const done = (lastAction: string) =>
      refresh({
        account,
        conversationId: id,
        place,
        blocks: click.blocks,
        text: click.messageText,
        lastAction,
        client,
      });
    const already = async (text: string) => {
      // A stale card: nothing to do, but the card catches up with what is true now.
      await done(`${text} (as of <@${user.userId}>'s click)`);
      await tell(client, user, place, { text: `${text}; nothing to do.` });
    };
    const manage = (input: ToolInput) => ({ conversation_id: id, admin_id: me.id, type: 'admin', ...input });

    switch (action) {
      case 'reply':
      case 'note':
        return openModal(click, buildTextModal({ kind: action, conversation, metadata: metadataOf(action, click) }));
      case 'tag':
        return pick(click, account, 'tag');
      case 'assign':
        if (conversation.assignee === me.id) return already('It is already assigned to you');
        await write(
          account,
          'assign it to you',
          MANAGE,
          manage({ message_type: 'assignment', assignee_id: me.id }),
          place,
        );
        return done(`Assigned to ${escapeMrkdwn(me.name)} by ${by}`);
      case 'close':
        if (conversation.state === 'closed') return already('It is already closed');
        await write(account, 'close it', MANAGE, manage({ message_type: 'close' }), place);
        return done(`Closed by ${by}`);
      case 'open':
        if (conversation.state === 'open') return already('It is already open');
        await write(account, 'reopen it', MANAGE, manage({ message_type: 'open' }), place);
        return done(`Reopened by ${by}`);
      case 'snooze': {
        if (!click.choice || !isSnoozeChoice(click.choice)) return;
        if (conversation.state === 'closed') {
          throw new CardRefusal('This conversation is closed; reopen it before snoozing. Nothing was done.');
        }
        const timeZone = await timeZoneOf(client, user.userId, (error) =>
          logger.warn('Reading a time zone from Slack failed; using UTC', { userId: user.userId }, error),
        );
        const until = snoozeUntil({ choice: click.choice, nowMs: now(), timeZone });
        const seconds = Math.floor(until / 1000);
        await write(account, 'snooze it', MANAGE, manage({ message_type: 'snoozed', snoozed_until: seconds }), place);
        return done(`Snoozed (${SNOOZE_CHOICES[click.choice].toLowerCase()}) by ${by}`);
      }
      case 'more': {
        if (click.choice === 'ticket') return pick(click, account, 'ticket');
        if (click.choice !== 'priority' && click.choice !== 'not_priority') return;
        const wanted = click.choice === 'priority';
        if (conversation.priority === wanted) {
          return already(wanted ? 'It is already a priority' : 'It is not a priority');
        }
        await write(
          account,
          wanted ? 'mark it as priority' : 'remove its priority',
          'intercom_update_conversation',
          { conversation_id: id, priority: click.choice },
          place,
        );
        return done(`${wanted ? 'Marked as priority' : 'Priority removed'} by ${by}`);
      }
    }
  };

  /** Refusals and failures, said to the clicker alone. */
  const guarded = async (
    user: SlackUser,
    client: webApi.WebClient,
    place: CardPlace | undefined,
    work: () => Promise<void>,
  ) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof CardRefusal) {
        await tell(client, user, place, { text: error.message });
        return;
      }
      // Before any change: the clicker's connection or Scalekit failed them (a write's own failure is a refusal).
      if (error instanceof ToolError || error instanceof ScalekitUnavailableError) {
        const text = error instanceof ToolError ? refusalText('do that', error) : replyForError(error);
        await tell(client, user, place, { text });
        return;
      }
      logger.error('A conversation card action failed', { userId: user.userId }, error);
      await tell(client, user, place, {
        text: 'Sorry, something went wrong on my side; I cannot say whether Intercom made the change. Please check the conversation.',
      });
    }
  };

  return {
    cardFor,
    async post({ account, conversationIds, channel, threadTs, client }) {
      const read = await Promise.all(conversationIds.map((id) => account.conversation(id).catch(() => undefined)));
      const shown = read.filter((c): c is Conversation => c !== undefined);
      if (shown.length === 0) return;
      const cards = await Promise.all(shown.map((conversation) => cardFor(account, conversation)));
      await client.chat.postMessage({
        channel,
        thread_ts: threadTs,
        text: `Conversation${shown.length > 1 ? 's' : ''} ${shown.map((c) => escapeMrkdwn(c.id)).join(', ')}`,
        blocks: cards.flatMap((card, i) => (i === 0 ? card : [{ type: 'divider' } as types.KnownBlock, ...card])),
        unfurl_links: false,
      });
    },
    async onClick(click) {
      if (!(await deps.claims.claim(click.clickKey, now()))) {
        logger.info('Card click already taken (a double click)', { action: click.action });
        return;
      }
      try {
        await guarded(click.user, click.client, click.place, async () => {
          const account = await connectedAccount(click.user, click.client, click.place);
          if (account) await act(click, account);
        });
      } finally {
        await deps.claims.release(click.clickKey, now());
      }
    },
    async onSubmit(submission) {
      const { user, client } = submission;
      const metadata = parseMetadata(submission.metadata);
      if (!metadata) return;
      const { kind, conversationId: id, place } = metadata;
      await guarded(user, client, place, async () => {
        const account = await connectedAccount(user, client, place);
        if (!account) return;
        await current(account, id);
        const me = await account.me();
        const by = `<@${user.userId}>`;
        if (kind === 'tag' || kind === 'ticket') {
          const picked = submission.picked;
          if (!picked) return;
          const name = escapeMrkdwn((await optionsOf(account, kind)).find((o) => o.id === picked)?.name ?? picked);
          if (kind === 'tag') {
            const input = { conversation_id: id, admin_id: me.id, id: picked };
            await write(account, 'tag it', 'intercom_attach_tag_to_conversation', input, place);
          } else {
            const input = { conversation_id: id, ticket_type_id: picked };
            await write(account, 'turn it into a ticket', 'intercom_convert_conversation_to_ticket', input, place);
          }
          const lastAction = kind === 'tag' ? `Tagged ${name} by ${by}` : `Turned into a ${name} ticket by ${by}`;
          await refresh({ account, conversationId: id, place, lastAction, client });
          return;
        }
        const text = submission.text ?? '';
        await write(
          account,
          kind === 'reply' ? 'send your reply' : 'add your note',
          'intercom_reply_to_conversation',
          {
            conversation_id: id,
            admin_id: me.id,
            type: 'admin',
            message_type: kind === 'reply' ? 'comment' : 'note',
            // Intercom reads a body as HTML: the typed text in its faithful HTML form (a typed `<b>` stays text).
            body: toIntercomHtml(text),
          },
          place,
        );
        await refresh({
          account,
          conversationId: id,
          place,
          lastAction: `${kind === 'reply' ? 'Replied' : 'Note added'} by ${by}`,
          client,
        });
      });
    },
  };
}

/** The workspace's tags, or its ticket types: `{ data: [{ id, name }] }`. */
async function optionsOf(
  account: IntercomAccount,
  kind: 'tag' | 'ticket',
): Promise<Array<{ id: string; name: string }>> {
  const tool = kind === 'tag' ? 'intercom_list_tags' : 'intercom_list_ticket_types';
  const { data } = await account.run(tool, {}, { audit: false });
  const list = (data as { data?: unknown }).data;
  return (Array.isArray(list) ? list : []).flatMap((raw) => {
    const tag = raw as { id?: unknown; name?: unknown };
    return (typeof tag.id === 'string' || typeof tag.id === 'number') && typeof tag.name === 'string'
      ? [{ id: String(tag.id), name: tag.name }]
      : [];
  });
}
