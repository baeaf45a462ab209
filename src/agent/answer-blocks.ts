import type { types } from '@slack/bolt';
import type { AnswerFooter } from './answer-surface.ts';

export const FEEDBACK_ACTION = 'answer_feedback';
export const UNFOLLOW_ACTION = 'thread_unfollow';
export const FEEDBACK_VALUES = { positive: 'good', negative: 'bad' } as const;

/** Under every finished answer: who the bot acted as, feedback buttons, and how to end the conversation. */
export function buildAnswerFooter(footer: AnswerFooter): types.KnownBlock[] {
  const how =
    footer.where === 'dm' ? 'Say *start over* to begin a new conversation.' : 'I follow this thread for 24 h.';
  const blocks: types.KnownBlock[] = [
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `AI-generated, acting as <@${footer.actingAs}> in Intercom. ${how}` }],
    },
  ];
  if (footer.feedback) {
    blocks.push({
      type: 'context_actions',
      elements: [
        {
          type: 'feedback_buttons',
          action_id: FEEDBACK_ACTION,
          positive_button: {
            text: { type: 'plain_text', text: 'Good answer' },
            value: FEEDBACK_VALUES.positive,
            accessibility_label: 'This answer was helpful',
          },
          negative_button: {
            text: { type: 'plain_text', text: 'Bad answer' },
            value: FEEDBACK_VALUES.negative,
            accessibility_label: 'This answer was not helpful',
          },
        },
      ],
    });
  }
  if (footer.where === 'thread') {
    blocks.push({
      type: 'actions',
      block_id: 'thread_follow',
      elements: [{ type: 'button', action_id: UNFOLLOW_ACTION, text: { type: 'plain_text', text: 'Stop following' } }],
    });
  }
  return blocks;
}
