import type { types } from '@slack/bolt';
import type { TaskUpdateChunk } from '@slack/types';
import type { PlanTask } from '../agent/answer-surface.ts';
import { escapeMrkdwn } from '../shared/escape.ts';
import { splitMessage } from '../shared/mrkdwn.ts';

/**
 * How much of a partial text can be sent now: up to the last white space, and never into a Markdown link that is
 * still being written, so a link or a word (`@here`) is never sanitised in two halves. 0 means wait for more.
 */
export function safeCut(text: string): number {
  let end = text.length;
  const open = text.lastIndexOf('[');
  if (open >= 0 && /^\[[^\]\n]*(\]|\]\([^)\s]*)?$/.test(text.slice(open))) end = open;
  const head = text.slice(0, end);
  const space = Math.max(head.lastIndexOf(' '), head.lastIndexOf('\n'));
  if (space >= 0) return space + 1;
  // A long run without a space (a URL, a code line) is not held back for ever.
  return end > 2000 ? end : 0;
}

export function taskChunk(task: PlanTask): TaskUpdateChunk {
  return {
    type: 'task_update',
    id: task.id,
    title: escapeMrkdwn(task.title),
    status: task.status,
    ...(task.details && { details: escapeMrkdwn(task.details) }),
    ...(task.sources?.length && {
      sources: task.sources
        .filter((source) => /^https?:\/\/[^\s<>|]+$/i.test(source.url))
        .slice(0, 10)
        .map((source) => ({ type: 'url' as const, url: source.url, text: escapeMrkdwn(source.title) })),
    }),
  };
}

/** Section blocks hold at most 3,000 characters each. */
export function sectionsOf(text: string): types.KnownBlock[] {
  return splitMessage(text, 3000).map((piece) => ({ type: 'section', text: { type: 'mrkdwn', text: piece } }));
}
