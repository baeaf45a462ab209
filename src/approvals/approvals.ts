import type { types, webApi } from '@slack/bolt';
import type { WriteHandler } from '../agent/intercom-tools.ts';
import { actionOfPlanTask, planTaskOf } from '../agent/step-titles.ts';
import type { RecoveryParticipant } from '../delivery/recovery.ts';
import { ToolError } from '../errors.ts';
import type { SlackUser } from '../identity/identity-store.ts';
import type { Intercom, IntercomAccount } from '../intercom/account.ts';
import type { Admin, Conversation } from '../intercom/models.ts';
import { titleOf } from '../intercom/tool-policy.ts';
import type { Logger } from '../logger.ts';
import { toIntercomHtml } from '../shared/intercom-html.ts';
import { timeZoneOf, updateOrPost } from '../shared/slack-post.ts';
import {
  buildApprovalMessage,
  buildEditModal,
  MAX_EDIT_CHARS,
  type Outcome,
  planWithOutcome,
} from './approval-blocks.ts';
import { collision, describeAction, isReplyTool, snapshotOf } from './describe.ts';
import type { PendingAction, PendingActions } from './pending-actions.ts';

export type ApprovalDecision = 'send' | 'edit' | 'cancel';

export interface Approvals extends RecoveryParticipant {
  /** The agent called a write tool: store it, post a preview, and tell the model it awaits approval. */
  onWrite: WriteHandler;
  /** A click on Send, Edit or Cancel. */
  onDecision(params: {
    decision: ApprovalDecision;
    actionId: string;
    user: SlackUser;
    /** Where the click happened, to answer a click on something unknown. */
    channel?: string;
    triggerId?: string;
  }): Promise<void>;
  /** The Edit modal was submitted with new text: send that instead. */
  onEdited(params: { actionId: string; user: SlackUser; text: string }): Promise<void>;
  /**
   * An answer whose plan may hold proposals has landed: a card decided while it was still streaming had no finished
   * plan to update then, so its outcome is shown now.
   */
  onAnswerLanded(thread: { channel: string; threadTs: string }, taskIds: string[]): Promise<void>;
}

export interface ApprovalsDeps {
  store: PendingActions;
  /** Whose Intercom an approved action runs in: always the requester's own. */
  intercom: Pick<Intercom, 'accountOf'>;
  client: webApi.WebClient;
  logger: Logger;
  now: () => number;
  randomBytes: (size: number) => Buffer;
  ttlMs?: number;
  /** An approved write to a conversation went through (the composition starts watching it for the requester). */
  onApprovedWrite?: (action: PendingAction & { conversationId: string }) => Promise<void>;
}

export function createApprovals(deps: ApprovalsDeps): Approvals {
  const { store, intercom, client, logger, now } = deps;
  const ttlMs = deps.ttlMs ?? 24 * 60 * 60 * 1000;

  /**
   * Names for the ids a write's arguments hold, for its card and the run's plan: what the run already learned from
   * Intercom, else read now (a contact, the workspace's tags, an admin) into the account's names. A name that cannot
   * be read leaves the id.
   */
  const learnNamesFor = async (account: IntercomAccount, toolName: string, args: Record<string, unknown>) => {
    const id = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);
    const tag = id(toolName === 'intercom_attach_tag_to_conversation' ? args.id : args.tag_id);
    const lookups: Array<[string | undefined, string, Record<string, unknown>]> = [
      [id(args.contact_id), 'intercom_retrieve_contact', { contact_id: id(args.contact_id) }],
      [toolName.includes('_tag_') ? tag : undefined, 'intercom_list_tags', {}],
      [id(args.ticket_type_id), 'intercom_list_ticket_types', {}],
      [
        id(args.assignee_id) === '0' ? undefined : id(args.assignee_id),
        'intercom_retrieve_admin',
        { admin_id: id(args.assignee_id) },
      ],
    ];
    for (const [wanted, lookup, input] of lookups) {
      if (wanted === undefined || account.names.has(wanted)) continue;
      try {
        // The bot's own look-up for the card, not an action of the teammate's: not recorded.
        await account.run(lookup, input, { audit: false });
      } catch (error) {
        logger.debug('A name for an approval card could not be read', { lookup, error: String(error) });
      }
    }
  };

  const tell = (action: PendingAction, user: string, text: string) =>
    client.chat
      .postEphemeral({ channel: action.channel, user, thread_ts: action.threadTs, text })
      .catch((error: unknown) => logger.warn('Could not send an ephemeral notice', error));

  const showOutcome = async (id: string, outcome: Outcome) => {
    const action = await store.get(id);
    if (!action) return;
    await updateOrPost(
      client,
      { channel: action.channel, threadTs: action.threadTs, ts: action.messageTs },
      buildApprovalMessage(action, outcome),
    ).catch((error: unknown) => logger.warn('Could not show an approval outcome', { id }, error));
    if (outcome.kind !== 'pending') {
      await markPlan(action, outcome).catch((error: unknown) =>
        logger.warn('Could not show an approval outcome in the plan', { id }, error),
      );
    }
  };

  /** The answer that proposed the write shows what became of it in its plan, where it said "waiting". */
  const markPlan = async (action: PendingAction, outcome: Exclude<Outcome, { kind: 'pending' }>) => {
    const { messages = [] } = await client.conversations.replies({
      channel: action.channel,
      ts: action.threadTs,
      limit: 200,
    });
    for (const message of messages) {
      const blocks = Array.isArray(message.blocks) ? message.blocks : undefined;
      const updated = blocks && planWithOutcome(blocks, planTaskOf(action.id), outcome);
      if (!updated || !message.ts) continue;
      await client.chat.update({
        channel: action.channel,
        ts: message.ts,
        text: message.text ?? '',
        blocks: updated as types.KnownBlock[],
      });
      return;
    }
  };

  /** Send, exactly once: only the request that moves the action out of "pending" gets to execute it. */
  const execute = async (action: PendingAction, user: SlackUser) => {
    if (!(await store.claim(action.id, user.userId, now()))) {
      await tell(action, user.userId, 'This action was already handled.');
      return;
    }
    const account = await intercom.accountOf(action);
    if (action.snapshot) {
      let changed: string | undefined;
      let fresh: Conversation | undefined;
      try {
        fresh = await account.conversation(String(action.arguments.conversation_id));
        changed = fresh ? collision(action.snapshot, snapshotOf(fresh)) : 'the conversation could not be read';
      } catch (error) {
        logger.warn('Could not re-read the conversation before sending', { id: action.id }, error);
        changed = 'the conversation could not be re-checked';
      }
      if (changed) {
        // Ask again rather than answer something the customer has moved past.
        await store.release(action.id, fresh ? snapshotOf(fresh) : action.snapshot, now());
        const warning = `Not sent: ${changed} since this preview. Check the conversation, then click Send again.`;
        await showOutcome(action.id, { kind: 'pending', warning });
        return;
      }
    }
    const started = now();
    try {
      // The approval's own trail records it, in the same transaction as its status.
      const result = await account.run(action.toolName, forIntercom(action), { audit: false });
      await store.finish(
        action.id,
        { status: 'done', outcome: 'done', executionId: result.executionId, latencyMs: now() - started },
        now(),
      );
      await showOutcome(action.id, { kind: 'done', by: user.userId, at: now() });
      const conversationId = action.arguments.conversation_id;
      if (conversationId !== undefined && conversationId !== null && deps.onApprovedWrite) {
        await deps
          .onApprovedWrite({ ...action, conversationId: String(conversationId) })
          .catch((error: unknown) => logger.warn('The after-write hook failed', { id: action.id }, error));
      }
    } catch (error) {
      const reason = error instanceof ToolError ? error.message : 'the request failed; nothing was confirmed';
      logger.warn('An approved action failed', { id: action.id, toolName: action.toolName }, error);
      await store.finish(action.id, { status: 'failed', outcome: reason, latencyMs: now() - started }, now());
      await showOutcome(action.id, { kind: 'failed', by: user.userId, reason });
    }
  };

  /** The action, if this user may decide on it now; otherwise they are told why not. */
  const decidable = async (actionId: string, user: SlackUser, channel?: string): Promise<PendingAction | undefined> => {
    const action = await store.get(actionId);
    if (!action) {
      logger.warn('A click named an unknown approval', { userId: user.userId });
      if (channel) {
        await client.chat
          .postEphemeral({ channel, user: user.userId, text: 'I do not know this action any more; nothing was done.' })
          .catch((error: unknown) => logger.warn('Could not send an ephemeral notice', error));
      }
      return undefined;
    }
    if (action.userId !== user.userId || action.teamId !== user.teamId) {
      await tell(action, user.userId, `Only <@${action.userId}> can approve this.`);
      return undefined;
    }
    if (action.status === 'pending' && action.expiresAt <= now()) {
      if (await store.expire(action.id, now())) await showOutcome(action.id, { kind: 'expired' });
      await tell(
        action,
        user.userId,
        'This approval has expired; nothing was sent. Ask me again if it is still needed.',
      );
      return undefined;
    }
    if (action.status !== 'pending') {
      await tell(action, user.userId, `This action was already handled (${action.status}).`);
      return undefined;
    }
    return action;
  };

  return {
    async onWrite(run, tool, input) {
      const args: Record<string, unknown> = { ...input };
      const properties = (tool.inputSchema.properties ?? {}) as Record<string, unknown>;
      let admin: Admin | undefined;
      let conversation: Conversation | undefined;
      try {
        // Writes happen as the requester: their own admin id, whatever the model supplied.
        if ('admin_id' in properties) {
          admin = await run.account.me();
          args.admin_id = admin.id;
        }
        // A reply is always the teammate's, never one in the customer's name.
        if (isReplyTool(tool.name) && 'type' in properties) args.type = 'admin';
        if (args.conversation_id !== undefined) {
          conversation = await run.account.conversation(String(args.conversation_id));
        }
      } catch (error) {
        if (error instanceof ToolError) {
          return { status: 'not_proposed', error: `Could not prepare the action: ${error.message}` };
        }
        throw error;
      }
      const id = deps.randomBytes(16).toString('base64url');
      const createdAt = now();
      await learnNamesFor(run.account, tool.name, args);
      // A time is said as the requester's clock shows it (their Slack profile's zone).
      const timeZone =
        args.snoozed_until === undefined
          ? undefined
          : await timeZoneOf(client, run.origin.userId, (error) =>
              logger.warn(
                'Reading a time zone from Slack failed; saying times in UTC',
                { userId: run.origin.userId },
                error,
              ),
            );
      const preview = describeAction({
        toolName: tool.name,
        title: titleOf(tool),
        args,
        admin,
        conversation,
        names: run.account.names,
        timeZone,
      });
      await store.create({
        id,
        ...run.origin,
        identifier: run.account.identifier,
        toolName: tool.name,
        arguments: args,
        preview,
        snapshot: isReplyTool(tool.name) && conversation ? snapshotOf(conversation) : null,
        createdAt,
        expiresAt: createdAt + ttlMs,
      });
      const action = (await store.get(id)) as PendingAction;
      const posted = await client.chat.postMessage({
        channel: run.origin.channel,
        thread_ts: run.origin.threadTs,
        ...buildApprovalMessage(action, { kind: 'pending' }),
      });
      if (posted.ts) await store.setMessageTs(id, posted.ts);
      return {
        status: 'awaiting_approval',
        actionId: id,
        note: `Nothing was done yet. A preview is in the Slack thread; it happens only if <@${run.origin.userId}> clicks Send. Tell them it is waiting for their approval.`,
      };
    },

    async onDecision({ decision, actionId, user, channel, triggerId }) {
      const action = await decidable(actionId, user, channel);
      if (!action) return;
      if (decision === 'send') {
        await execute(action, user);
      } else if (decision === 'cancel') {
        if (await store.cancel(action.id, user.userId, now()))
          await showOutcome(action.id, { kind: 'cancelled', by: user.userId });
      } else if (action.preview.textField && triggerId) {
        const length = action.preview.text?.length ?? 0;
        if (length > MAX_EDIT_CHARS) {
          await tell(
            action,
            user.userId,
            `This text is ${length} characters, more than Slack's edit box holds (${MAX_EDIT_CHARS}). Send it as it is, or Cancel and ask me for a shorter draft.`,
          );
          return;
        }
        await client.views.open({ trigger_id: triggerId, view: buildEditModal(action) });
      }
    },

    /**
     * Approvals a stop cut off mid-send are marked unknown on their cards and in their answers' plans (Intercom may
     * or may not have them) rather than pretending either way. Their threads need no other notice.
     */
    async recover(aliveSince) {
      for (const action of await store.takeInterrupted(now(), aliveSince)) {
        await showOutcome(action.id, { kind: 'unknown' });
      }
      return [];
    },

    async onAnswerLanded(thread, taskIds) {
      for (const actionId of taskIds.map(actionOfPlanTask)) {
        const action = actionId === undefined ? undefined : await store.get(actionId);
        const outcome = action && decidedOutcome(action);
        if (!action || !outcome || action.channel !== thread.channel || action.threadTs !== thread.threadTs) continue;
        await markPlan(action, outcome).catch((error: unknown) =>
          logger.warn('Could not show an approval outcome in the plan', { id: action.id }, error),
        );
      }
    },

    async onEdited({ actionId, user, text }) {
      const action = await decidable(actionId, user);
      const field = action?.preview.textField;
      if (!action || !field) return;
      const args = { ...action.arguments, [field]: text };
      if (!(await store.updateArguments(action.id, args, { ...action.preview, text }))) {
        await tell(action, user.userId, 'This action was already handled.');
        return;
      }
      await execute({ ...action, arguments: args, preview: { ...action.preview, text } }, user);
    },
  };
}

/** What became of a decided action, as its card and plan say it; nothing while it waits or is being sent. */
function decidedOutcome(action: PendingAction): Exclude<Outcome, { kind: 'pending' }> | undefined {
  const by = action.decidedBy ?? action.userId;
  switch (action.status) {
    case 'done':
      return { kind: 'done', by, at: action.decidedAt ?? action.createdAt };
    case 'failed':
      return { kind: 'failed', by, reason: action.outcome ?? '' };
    case 'cancelled':
      return { kind: 'cancelled', by };
    case 'expired':
    case 'unknown':
      return { kind: action.status };
    default:
      return undefined;
  }
}

/** The arguments as Intercom gets them: the text the teammate approved, in its faithful HTML form. */
function forIntercom(action: PendingAction): Record<string, unknown> {
  const field = action.preview.textField;
  const text = field ? action.arguments[field] : undefined;
  return field && typeof text === 'string' ? { ...action.arguments, [field]: toIntercomHtml(text) } : action.arguments;
}
