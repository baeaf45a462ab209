import { describe, expect, it } from 'vitest';
import { planWithOutcome } from '../../src/approvals/approval-blocks.ts';

const waiting = {
  type: 'task_card',
  task_id: 'approval-a1',
  title: 'Reply on “Refund” (#215): waiting for your approval',
  status: 'pending',
  details: { type: 'rich_text', elements: [] },
};
const answer = [
  {
    type: 'plan',
    title: '',
    tasks: [{ type: 'task_card', task_id: 'step-1', title: 'Reading', status: 'complete' }, waiting],
  },
  { type: 'markdown', text: 'Drafted.' },
];

describe('planWithOutcome: the plan step of an approval after it was decided', () => {
  it.each([
    ['done', 'complete', 'sent'],
    ['failed', 'error', 'not sent, Intercom refused it'],
    ['cancelled', 'error', 'cancelled, nothing was sent'],
    ['expired', 'error', 'expired, nothing was sent'],
  ] as const)('%s: %s, "%s"', (kind, status, said) => {
    const outcome = { kind, by: 'U1', at: 0, reason: 'no' } as Parameters<typeof planWithOutcome>[2];
    const updated = planWithOutcome(answer, 'approval-a1', outcome) as typeof answer;
    expect(updated[0]?.tasks?.[1]).toEqual({
      type: 'task_card',
      task_id: 'approval-a1',
      title: `Reply on “Refund” (#215): ${said}`,
      status,
    });
    expect(updated[0]?.tasks?.[0]).toBe(answer[0]?.tasks?.[0]);
    expect(updated[1]).toBe(answer[1]);
  });

  it('finds nothing in an answer without that step (not streamed, or another approval)', () => {
    expect(planWithOutcome(answer, 'approval-zz', { kind: 'done', by: 'U1', at: 0 })).toBeUndefined();
    expect(planWithOutcome([{ type: 'section' }], 'approval-a1', { kind: 'done', by: 'U1', at: 0 })).toBeUndefined();
  });
});
