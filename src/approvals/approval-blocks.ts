import type { types } from '@slack/bolt';
import { AWAITING } from '../agent/step-titles.ts';
import { escapeMrkdwn, plainText } from '../shared/escape.ts';
import { slackDate } from '../shared/mrkdwn.ts';
import { MAX_TASK_TITLE, shorten } from '../shared/slack-limits.ts';
import type { PendingAction } from './pending-actions.ts';

export const APPROVAL_ACTIONS = {
  send: 'approval_send',
  edit: 'approval_edit',
  cancel: 'approval_cancel',
} as const;
export const EDIT_VIEW = 'approval_edit_view';
export const EDIT_BLOCK = 'approval_text';
export const EDIT_INPUT = 'text';
/** Slack's plain_text_input holds at most 3,000 characters, and so does a section's text. */
export const MAX_EDIT_CHARS = 3000;

export type Outcome =
  | { kind: 'pending'; warning?: string }
  | { kind: 'done'; by: string; at: number }
  | { kind: 'failed'; by: string; reason: string }
  | { kind: 'cancelled'; by: string }
  | { kind: 'expired' }
  | { kind: 'unknown' };

/** The preview in the thread; while pending it carries Send / Edit / Cancel, afterwards the outcome instead. */
export function buildApprovalMessage(
  action: PendingAction,
  outcome: Outcome,
): {
  text: string;
  blocks: types.KnownBlock[];
} {
  const { preview } = action;
  const blocks: types.KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: shorten(`Approve: ${plainText(preview.summary)}`, 150) } },
  ];
  if (preview.facts.length > 0) {
    blocks.push({
      type: 'section',
      fields: preview.facts.slice(0, 10).map(([label, value]) => ({
        type: 'mrkdwn' as const,
        text: shorten(`*${escapeMrkdwn(label)}:*\n${escapeMrkdwn(value)}`, 2000),
      })),
    });
  }
  if (preview.text !== undefined) {
    const who = preview.customerVisible ? 'The customer will see' : 'Your team will see';
    // The text itself as plain text: shown character for character, as the Edit box shows it and Intercom gets it
    // (in mrkdwn, a typed `*` or `_` would turn into formatting).
    blocks.push(
      { type: 'section', text: { type: 'mrkdwn', text: `*${who}:*` } },
      {
        type: 'section',
        text: { type: 'plain_text', text: shortened(preview.text) || '(empty)', emoji: false },
      },
    );
  }
  if (outcome.kind === 'pending') {
    if (outcome.warning) {
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `:warning: ${escapeMrkdwn(outcome.warning)}` } });
    }
    blocks.push(
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `Nothing happens until <@${action.userId}> clicks Send. Expires ${slackDate(action.expiresAt)}.`,
          },
        ],
      },
      {
        type: 'actions',
        block_id: 'approval',
        elements: [
          button(APPROVAL_ACTIONS.send, 'Send', action.id, 'primary'),
          ...(preview.textField ? [button(APPROVAL_ACTIONS.edit, 'Edit', action.id)] : []),
          button(APPROVAL_ACTIONS.cancel, 'Cancel', action.id, 'danger'),
        ],
      },
    );
  } else {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: outcomeText(outcome) }] });
  }
  const state = outcome.kind === 'pending' ? 'waiting for approval' : outcomeText(outcome);
  return { text: `${escapeMrkdwn(preview.summary)}: ${state}`, blocks };
}

export function buildEditModal(action: PendingAction): types.View {
  return {
    type: 'modal',
    callback_id: EDIT_VIEW,
    private_metadata: action.id,
    title: { type: 'plain_text', text: 'Edit before sending' },
    submit: { type: 'plain_text', text: 'Send' },
    close: { type: 'plain_text', text: 'Back' },
    blocks: [
      {
        type: 'input',
        block_id: EDIT_BLOCK,
        label: { type: 'plain_text', text: action.preview.customerVisible ? 'The customer will see' : 'Text' },
        element: {
          type: 'plain_text_input',
          action_id: EDIT_INPUT,
          multiline: true,
          initial_value: action.preview.text ?? '',
          max_length: MAX_EDIT_CHARS,
        },
      },
    ],
  };
}

/**
 * An answer's blocks with the plan step of this approval showing its outcome instead of "waiting for your
 * approval"; undefined when the blocks hold no such step (an answer that was not streamed has no plan).
 */
export function planWithOutcome(
  blocks: unknown[],
  taskId: string,
  outcome: Exclude<Outcome, { kind: 'pending' }>,
): unknown[] | undefined {
  const [status, said] = PLAN_OUTCOMES[outcome.kind];
  let found = false;
  const updated = blocks.map((block) => {
    const plan = block as { type?: string; tasks?: Array<Record<string, unknown>> };
    if (plan.type !== 'plan' || !Array.isArray(plan.tasks)) return block;
    return {
      ...plan,
      tasks: plan.tasks.map((task) => {
        if (task.task_id !== taskId) return task;
        found = true;
        const { details: _waiting, ...rest } = task;
        const base = String(task.title ?? '').replace(AWAITING, '');
        return { ...rest, status, title: shorten(`${base}: ${said}`, MAX_TASK_TITLE) };
      }),
    };
  });
  return found ? updated : undefined;
}

const PLAN_OUTCOMES: Record<Exclude<Outcome, { kind: 'pending' }>['kind'], ['complete' | 'error', string]> = {
  done: ['complete', 'sent'],
  failed: ['error', 'not sent, Intercom refused it'],
  cancelled: ['error', 'cancelled, nothing was sent'],
  expired: ['error', 'expired, nothing was sent'],
  unknown: ['error', 'check Intercom, the bot restarted while sending'],
};

function outcomeText(outcome: Exclude<Outcome, { kind: 'pending' }>): string {
  switch (outcome.kind) {
    case 'done':
      return `:white_check_mark: Done, approved by <@${outcome.by}> ${slackDate(outcome.at)}.`;
    case 'failed':
      return `:x: Approved by <@${outcome.by}>, but Intercom refused it: ${escapeMrkdwn(outcome.reason)}`;
    case 'cancelled':
      return `:no_entry_sign: Cancelled by <@${outcome.by}>. Nothing was sent.`;
    case 'expired':
      return ':hourglass: Expired without approval. Nothing was sent.';
    case 'unknown':
      return ':grey_question: The bot restarted while this was being sent; check Intercom before trying again.';
  }
}

function button(actionId: string, text: string, value: string, style?: 'primary' | 'danger'): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value, ...(style && { style }) };
}

/** A section shows 3,000 characters; a longer text is shortened in the card, saying how long the whole is. */
function shortened(text: string): string {
  const note = `… (shortened here: the whole text is ${text.length} characters)`;
  return text.length <= MAX_EDIT_CHARS ? text : `${text.slice(0, MAX_EDIT_CHARS - note.length)}${note}`;
}
