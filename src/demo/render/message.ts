import type { AnyChunk, TaskUpdateChunk } from '@slack/types';
import { escapeHtml } from '../../shared/escape.ts';
import { renderBlocks, taskItem } from './blocks.ts';

import { markdownToHtml, mrkdwnToHtml, type RenderContext } from './text.ts';

/** A message as the Slack stand-in keeps it: posted text and blocks, or a stream's chunks and its final blocks. */
export interface RenderableMessage {
  text?: string;
  blocks?: unknown;
  streaming?: boolean;
  chunks?: Array<Record<string, unknown>>;
}

/**
 * A message's body as Slack shows it. Blocks win over text. A streamed answer shows its plan (the task_update
 * chunks, each task at its latest status, in the order they first came), the Markdown so far, and once stopped
 * the blocks it was stopped with (the footer: feedback buttons and such).
 */
export function renderMessage(message: RenderableMessage, context: RenderContext): string {
  if (message.chunks) return renderStream(message, message.chunks as unknown as AnyChunk[], context);
  if (Array.isArray(message.blocks) && message.blocks.length > 0) return renderBlocks(message.blocks, context);
  return `<div class="sk-text">${mrkdwnToHtml(message.text ?? '', context)}</div>`;
}

function renderStream(message: RenderableMessage, chunks: AnyChunk[], context: RenderContext): string {
  const tasks = new Map<string, TaskUpdateChunk>();
  let title = '';
  let markdown = '';
  const blockChunks: unknown[] = [];
  for (const chunk of chunks) {
    if (chunk.type === 'task_update') tasks.set(chunk.id, { ...tasks.get(chunk.id), ...chunk });
    else if (chunk.type === 'plan_update') title = chunk.title;
    else if (chunk.type === 'markdown_text') markdown += chunk.text;
    else if (chunk.type === 'blocks') blockChunks.push(...chunk.blocks);
  }
  const plan =
    tasks.size > 0
      ? `<div class="sk-plan-box">${title ? `<div class="sk-plan-title">${escapeHtml(title)}</div>` : ''}<ol class="sk-plan">${[
          ...tasks.values(),
        ]
          .map((task) => taskItem(task))
          .join('')}</ol></div>`
      : '';
  const text = markdown ? `<div class="sk-markdown">${markdownToHtml(markdown, context)}</div>` : '';
  const live = message.streaming ? '<div class="sk-typing" aria-label="writing">•••</div>' : '';
  return `<div class="sk-stream" data-streaming="${message.streaming ? 'true' : 'false'}">${plan}${text}${renderBlocks(
    blockChunks,
    context,
  )}${live}${renderBlocks(message.blocks, context)}</div>`;
}
