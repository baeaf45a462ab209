import type { types } from '@slack/bolt';
import type { TaskUpdateChunk } from '@slack/types';
import type { PlanTask } from '../agent/answer-surface.ts';
import { plainText } from '../shared/escape.ts';
import { MAX_TASK_TITLE, shorten } from '../shared/slack-limits.ts';
import { splitMessage } from '../shared/split-message.ts';

/**
 * How much of a partial text can be sent now: up to the last white space, and never into a Markdown link or a code
 * block that is still being written, so a link, a word (`@here`) or a block of code is never sanitised in two
 * halves. 0 means wait for more.
 */
export function safeCut(text: string): number {
  let end = text.length;
  const open = text.lastIndexOf('[');
  if (open >= 0 && /^\[[^\]\n]*(\]|\]\([^)\s]*)?$/.test(text.slice(open))) end = open;
  // A code block still open is sent once it is closed (unless it runs long), so its code is escaped as code.
  const fence = text.lastIndexOf('```', end - 1);
  if (fence >= 0 && (text.slice(0, end).split('```').length - 1) % 2 === 1 && text.length - fence <= 4000) end = fence;
  const head = text.slice(0, end);
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\n'));
  if (space >= 0) return space + 1;
  // A long run without a space (a URL, a code line) is not held back for ever.
  return end > 2000 ? end : 0;
}

/** A plan step for Slack: its title and details are plain text (raw, not escaped), shortened to fit. */
export function taskChunk(task: PlanTask): TaskUpdateChunk {
  return {
    type: 'task_update',
    id: task.id,
    title: shorten(plainText(task.title), MAX_TASK_TITLE),
    status: task.status,
    ...(task.details && { details: shorten(plainText(task.details), MAX_TASK_TITLE) }),
    ...(task.sources?.length && {
      sources: task.sources
        .filter((source) => /^https?:\/\/[^\s<>|]+$/i.test(source.url))
        .slice(0, 10)
        .map((source) => ({
          type: 'url' as const,
          url: source.url,
          text: shorten(plainText(source.title), MAX_TASK_TITLE),
        })),
    }),
  };
}

/** Section blocks hold at most 3,000 characters each. */
export function sectionsOf(text: string): types.KnownBlock[] {
  return splitMessage(text, 3000).map((piece) => ({ type: 'section', text: { type: 'mrkdwn', text: piece } }));
}
