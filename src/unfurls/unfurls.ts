import type { webApi } from '@slack/bolt';
import type { EntityMetadata } from '@slack/types';
import { replyForError, ScalekitUnavailableError, ToolError } from '../errors.ts';
import type { IntercomAccount } from '../intercom/account.ts';
import { type ActiveAccountDeps, activeAccountOf } from '../intercom/active-account.ts';
import { type Admin, inboxUrl } from '../intercom/models.ts';
import type { Logger } from '../logger.ts';
import type { SlackUser } from '../shared/messages.ts';
import { type ConversationLink, entityRefId, parseConversationLink, parseEntityRef } from './intercom-links.ts';
import { buildConversationEntity } from './work-object.ts';

/** `link_shared`: someone pasted links to the app's domains. */
export interface SharedLinks {
  /** Who posted them, from Slack's signed event. */
  user: SlackUser;
  channel: string;
  messageTs: string;
  /** Set for links still in the composer (then there is no message yet). */
  unfurlId?: string;
  source?: string;
  urls: string[];
  client: webApi.WebClient;
}

/** `entity_details_requested`: someone opened a Work Object's details. */
export interface DetailsRequest {
  /** Who opened them, from Slack's signed event: the only identity their data is fetched with. */
  user: SlackUser;
  triggerId: string;
  externalRef?: { id?: unknown; type?: unknown };
  appUnfurlUrl?: string;
  client: webApi.WebClient;
}

export interface Unfurls {
  /** Unfurls the Intercom conversations among the links, as the poster's own Intercom shows them. */
  onLinksShared(shared: SharedLinks): Promise<void>;
  /** Shows the conversation as the viewer's own Intercom shows it, or why it cannot. */
  onDetailsRequested(request: DetailsRequest): Promise<void>;
}

export interface UnfurlDeps extends ActiveAccountDeps {
  /** A fresh connect link for a teammate who has not connected Intercom (the connect flow's own). */
  issueLink: (user: SlackUser) => Promise<string>;
  logger: Logger;
  now: () => number;
}

/** Slack unfurls at most this many links of a message through one app. */
const MAX_LINKS = 5;

const CONNECT_MESSAGE = 'Connect your own Intercom account to see Intercom conversations here.';

/**
 * Intercom links as Work Objects. The unfurl everyone sees is read with the poster's own Intercom (they chose to
 * share the link); the details each person opens are read with that person's own Intercom, so nobody sees more than
 * Intercom lets them.
 */
export function createUnfurls(deps: UnfurlDeps): Unfurls {
  const { logger, now } = deps;

  /** The teammate's connected account, or undefined (with their connect link) when it is not active. */
  const accountOf = async (user: SlackUser): Promise<{ account?: IntercomAccount; connectUrl?: string }> => {
    const found = await activeAccountOf(deps, user);
    if (found.account) return { account: found.account };
    return { connectUrl: await deps.issueLink(user) };
  };

  /** The conversation as this account's Intercom shows it; undefined when it cannot see it (or it is elsewhere). */
  const entityFor = async (
    account: IntercomAccount,
    link: ConversationLink,
    appUnfurlUrl: string | undefined,
  ): Promise<EntityMetadata | undefined> => {
    // Both at once: an unfurl should come within a couple of seconds.
    const [me, conversation] = await Promise.all([account.me(), visible(account, link.conversationId)]);
    // Another workspace's conversation with the same number is a different conversation: not shown.
    if (me.workspace && me.workspace.id !== link.workspaceId) return undefined;
    if (!conversation) return undefined;
    const admins = conversation.assignee === null ? [] : await account.admins().catch((): Admin[] => []);
    return buildConversationEntity({
      link,
      conversation,
      assigneeName: admins.find((a) => a.id === conversation.assignee)?.name,
      url: inboxUrl({ id: link.workspaceId, region: me.workspace?.region }, conversation.id),
      appUnfurlUrl,
      now: now(),
    });
  };

  return {
    async onLinksShared(shared) {
      const links = new Map<string, { link: ConversationLink; url: string }>();
      for (const url of shared.urls) {
        const link = parseConversationLink(url);
        if (link && !links.has(entityRefId(link)) && links.size < MAX_LINKS)
          links.set(entityRefId(link), { link, url });
      }
      if (links.size === 0) return;
      const { unfurlId, source } = shared;
      // A link still in the composer has no message yet: Slack names it by unfurl_id and source instead.
      const target =
        unfurlId && (source === 'composer' || source === 'conversations_history')
          ? { unfurl_id: unfurlId, source: source as 'composer' | 'conversations_history' }
          : { channel: shared.channel, ts: shared.messageTs };
      const { account, connectUrl } = await accountOf(shared.user);
      if (!account) {
        // Nothing is read: Slack asks the poster (only them) to connect, with their own link.
        await shared.client.chat.unfurl({
          ...target,
          unfurls: {},
          user_auth_required: true,
          user_auth_url: connectUrl,
          user_auth_message: CONNECT_MESSAGE,
        });
        return;
      }
      const entities = await Promise.all(
        [...links.values()].map(({ link, url }) =>
          entityFor(account, link, url).catch((error: unknown) => {
            logger.warn('Reading a conversation to unfurl failed', { userId: shared.user.userId }, error);
            return undefined;
          }),
        ),
      );
      const shown = entities.filter((e): e is EntityMetadata => e !== undefined);
      if (shown.length === 0) return;
      await shared.client.chat.unfurl({ ...target, metadata: { entities: shown } });
    },

    async onDetailsRequested(request) {
      const link = parseEntityRef(request.externalRef);
      if (!link) return;
      const trigger_id = request.triggerId;
      const present = (args: Omit<webApi.EntityPresentDetailsArguments, 'trigger_id'>) =>
        request.client.entity.presentDetails({ trigger_id, ...args });
      try {
        const { account, connectUrl } = await accountOf(request.user);
        if (!account) {
          await present({ user_auth_required: true, user_auth_url: connectUrl });
          return;
        }
        const entity = await entityFor(account, link, request.appUnfurlUrl);
        if (entity) {
          await present({ metadata: entity });
          return;
        }
        await present({
          error: {
            status: 'custom',
            custom_title: 'Not in your Intercom',
            custom_message: `Your Intercom account cannot see conversation ${link.conversationId}, so there is nothing to show you.`,
          },
        });
      } catch (error) {
        if (!(error instanceof ToolError) && !(error instanceof ScalekitUnavailableError)) {
          logger.error('Showing a conversation’s details failed', { userId: request.user.userId }, error);
        }
        const message =
          error instanceof ToolError && error.kind === 'auth'
            ? 'Your Intercom connection no longer works. Run /connect-intercom to connect again.'
            : error instanceof ToolError
              ? 'Intercom did not answer as expected. Try again in a minute.'
              : replyForError(error);
        await present({ error: { status: 'custom', custom_title: 'Could not load this', custom_message: message } });
      }
    },
  };
}

/** The conversation, or undefined when Intercom says it is gone or not this account's to see. */
async function visible(account: IntercomAccount, id: string) {
  try {
    return await account.conversation(id);
  } catch (error) {
    if (error instanceof ToolError && (error.kind === 'forbidden' || error.status === '404')) return undefined;
    throw error;
  }
}
