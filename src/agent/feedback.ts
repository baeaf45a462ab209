import type { AuditLog } from '../audit/audit-log.ts';
import type { IdentityStore } from '../identity/identity-store.ts';
import type { SlackUser } from '../shared/messages.ts';
import { FEEDBACK_VALUES } from './answer-blocks.ts';

export type FeedbackVerdict = 'positive' | 'negative';

/**
 * Records a click on an answer's feedback buttons in the audit trail: who, which answer (its channel, thread and
 * ts), and which way. Slack's buttons toggle without a "deselected" signal, so every click is its own entry and
 * the latest one per person and answer is their verdict.
 */
export function createFeedbackRecorder(deps: {
  audit: Pick<AuditLog, 'record'>;
  identities: Pick<IdentityStore, 'identifierFor'>;
  now: () => number;
}) {
  return async (click: {
    user: SlackUser;
    channel: string;
    threadTs?: string;
    messageTs: string;
    value: string;
  }): Promise<FeedbackVerdict | undefined> => {
    const verdict =
      click.value === FEEDBACK_VALUES.positive
        ? 'positive'
        : click.value === FEEDBACK_VALUES.negative
          ? 'negative'
          : undefined;
    if (!verdict) return undefined;
    await deps.audit.record({
      at: deps.now(),
      kind: 'feedback',
      ...click.user,
      channel: click.channel,
      threadTs: click.threadTs ?? click.messageTs,
      identifier: await deps.identities.identifierFor(click.user),
      toolName: 'answer_feedback',
      summary: `answer ${click.messageTs}`,
      outcome: verdict,
      actionId: click.messageTs,
    });
    return verdict;
  };
}
