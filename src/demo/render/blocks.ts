import type {
  ActionsBlock,
  Button,
  ContextActionsBlock,
  ContextBlock,
  FeedbackButtons,
  HeaderBlock,
  InputBlock,
  KnownBlock,
  Overflow,
  PlainTextElement,
  PlanBlock,
  SectionBlock,
  StaticSelect,
  TaskCardBlock,
  TextObject,
} from '@slack/types';
import { escapeHtml } from '../../shared/escape.ts';
import { anchor, emojify, webHref } from './html.ts';
import { markdownToHtml, mrkdwnToHtml, type RenderContext } from './text.ts';

/**
 * Block Kit as HTML, for the subset the bot sends: section (text, fields, button accessory), context, divider,
 * header, actions (buttons, select and overflow menus), context_actions (feedback buttons), input (plain text, a
 * select), markdown, plan and task cards.
 * Interactive elements carry `data-block-id`, `data-action-id` and `data-value`, from which the page builds the
 * block_actions payload Slack would send. Unknown blocks are named, not guessed at.
 */
export function renderBlocks(blocks: unknown, context: RenderContext): string {
  if (!Array.isArray(blocks)) return '';
  return blocks.map((block, index) => renderBlock(block as KnownBlock, index, context)).join('');
}

function renderBlock(block: KnownBlock, index: number, context: RenderContext): string {
  // Slack gives every block without an id one of its own; the page needs one to send back.
  const blockId = block.block_id ?? `b${index}`;
  switch (block.type) {
    case 'section':
      return section(block, blockId, context);
    case 'context':
      return context_(block, context);
    case 'divider':
      return '<hr class="sk-divider">';
    case 'header':
      return `<div class="sk-header">${plainText((block as HeaderBlock).text)}</div>`;
    case 'actions':
      return `<div class="sk-actions" data-block-id="${escapeHtml(blockId)}">${(block as ActionsBlock).elements
        .map((element) =>
          element.type === 'button'
            ? button(element, blockId, context)
            : element.type === 'static_select' || element.type === 'overflow'
              ? menu(element, blockId)
              : unsupported(element.type),
        )
        .join('')}</div>`;
    case 'context_actions':
      return contextActions(block, blockId);
    case 'input':
      return input(block, blockId);
    case 'markdown':
      return `<div class="sk-markdown">${markdownToHtml(block.text, context)}</div>`;
    case 'plan':
      return plan(block);
    case 'task_card':
      return `<ol class="sk-plan">${taskCard(block)}</ol>`;
    default:
      return unsupported(block.type);
  }
}

function section(block: SectionBlock, blockId: string, context: RenderContext): string {
  const text = block.text ? `<div class="sk-text">${textObject(block.text, context)}</div>` : '';
  const fields = block.fields?.length
    ? `<div class="sk-fields">${block.fields.map((f) => `<div>${textObject(f, context)}</div>`).join('')}</div>`
    : '';
  const accessory =
    block.accessory?.type === 'button'
      ? `<div class="sk-accessory">${button(block.accessory, blockId, context)}</div>`
      : block.accessory
        ? unsupported(block.accessory.type)
        : '';
  return `<div class="sk-section">${text}${fields}${accessory}</div>`;
}

function context_(block: ContextBlock, context: RenderContext): string {
  const elements = block.elements.map((element) =>
    element.type === 'image' ? '' : `<span>${textObject(element as TextObject, context)}</span>`,
  );
  return `<div class="sk-context">${elements.join(' ')}</div>`;
}

/** Buttons post back; a URL button also opens its link (Slack sends the click as well, which is acknowledged). */
function button(element: Button, blockId: string, context: RenderContext): string {
  const style = element.style ? ` ${element.style}` : '';
  const data = [
    `data-kind="button"`,
    `data-block-id="${escapeHtml(blockId)}"`,
    `data-action-id="${escapeHtml(element.action_id ?? '')}"`,
    element.value !== undefined ? `data-value="${escapeHtml(element.value)}"` : '',
    element.confirm ? `data-confirm="${escapeHtml(JSON.stringify(confirmText(element, context)))}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const label = plainText(element.text);
  const href = element.url ? webHref(element.url) : undefined;
  if (href) {
    return anchor(href, label).replace('<a ', `<a class="sk-button${style}" ${data} `);
  }
  return `<button type="button" class="sk-button${style}" ${data}>${label}</button>`;
}

/** A select menu or an overflow menu: choosing an option sends it, as Slack does. */
function menu(element: StaticSelect | Overflow, blockId: string): string {
  const placeholder =
    element.type === 'overflow' ? '⋯' : element.placeholder ? plainText(element.placeholder) : 'Choose';
  const options = (element.options ?? [])
    .map((o) => `<option value="${escapeHtml(o.value ?? '')}">${plainText(o.text as PlainTextElement)}</option>`)
    .join('');
  return `<select class="sk-button sk-menu" data-kind="${element.type}" data-block-id="${escapeHtml(
    blockId,
  )}" data-action-id="${escapeHtml(element.action_id ?? '')}"><option value="" selected disabled>${placeholder}</option>${options}</select>`;
}

/** A confirm dialog's words, as HTML the page shows before it sends the click. */
function confirmText(element: Button, context: RenderContext) {
  const confirm = element.confirm;
  return {
    title: confirm?.title ? plainText(confirm.title) : 'Are you sure?',
    text: confirm?.text ? textObject(confirm.text, context) : '',
    confirm: confirm?.confirm ? plainText(confirm.confirm) : 'Yes',
    deny: confirm?.deny ? plainText(confirm.deny) : 'Cancel',
  };
}

function contextActions(block: ContextActionsBlock, blockId: string): string {
  const elements = block.elements.map((element) => {
    if (element.type !== 'feedback_buttons') return unsupported(element.type);
    const feedback = element as FeedbackButtons;
    const one = (which: 'positive' | 'negative', glyph: string) => {
      const b = which === 'positive' ? feedback.positive_button : feedback.negative_button;
      return `<button type="button" class="sk-feedback" data-kind="feedback_buttons" data-block-id="${escapeHtml(
        blockId,
      )}" data-action-id="${escapeHtml(feedback.action_id ?? '')}" data-value="${escapeHtml(b.value)}" title="${escapeHtml(
        b.accessibility_label ?? b.text.text,
      )}" aria-label="${escapeHtml(b.accessibility_label ?? b.text.text)}">${glyph}</button>`;
    };
    return `${one('positive', '👍')}${one('negative', '👎')}`;
  });
  return `<div class="sk-context-actions">${elements.join('')}</div>`;
}

function input(block: InputBlock, blockId: string): string {
  const label = `<label class="sk-label" for="in-${escapeHtml(blockId)}">${plainText(block.label)}</label>`;
  const hint = block.hint ? `<div class="sk-hint">${plainText(block.hint)}</div>` : '';
  const element = block.element;
  if (element.type === 'static_select') {
    const options = (element.options ?? [])
      .map((o) => `<option value="${escapeHtml(o.value ?? '')}">${plainText(o.text as PlainTextElement)}</option>`)
      .join('');
    return `<div class="sk-input">${label}<select id="in-${escapeHtml(blockId)}" data-block-id="${escapeHtml(
      blockId,
    )}" data-action-id="${escapeHtml(element.action_id ?? '')}">${options}</select><div class="sk-error" data-error-for="${escapeHtml(
      blockId,
    )}"></div></div>`;
  }
  if (element.type !== 'plain_text_input') return `<div class="sk-input">${label}${unsupported(element.type)}</div>`;
  const attributes = `id="in-${escapeHtml(blockId)}" data-block-id="${escapeHtml(blockId)}" data-action-id="${escapeHtml(
    element.action_id ?? '',
  )}"${element.placeholder ? ` placeholder="${escapeHtml(element.placeholder.text)}"` : ''}`;
  const value = escapeHtml(element.initial_value ?? '');
  const field = element.multiline
    ? `<textarea ${attributes} rows="5">${value}</textarea>`
    : `<input type="text" ${attributes} value="${value}">`;
  return `<div class="sk-input">${label}${field}<div class="sk-error" data-error-for="${escapeHtml(
    blockId,
  )}"></div>${hint}</div>`;
}

function plan(block: PlanBlock): string {
  const tasks = (block.tasks ?? []).filter((t): t is TaskCardBlock => (t as TaskCardBlock).type === 'task_card');
  return `<div class="sk-plan-title">${escapeHtml(block.title)}</div><ol class="sk-plan">${tasks.map(taskCard).join('')}</ol>`;
}

function taskCard(task: TaskCardBlock): string {
  return taskItem({ id: task.task_id, title: task.title, status: task.status });
}

/** One step of a plan: what the bot is doing and how far it got (task cards and streamed task_update chunks). */
export function taskItem(task: { id: string; title: string; status: string; details?: string }): string {
  const status = ['pending', 'in_progress', 'complete', 'error'].includes(task.status) ? task.status : 'pending';
  const icon = { pending: '○', in_progress: '◐', complete: '✓', error: '✕' }[status];
  // A task's title and details are plain text, as in Slack: shown as sent.
  const text = (value: string) => emojify(escapeHtml(value));
  const details = task.details ? `<div class="sk-task-details">${text(task.details)}</div>` : '';
  return `<li class="sk-task ${status}" data-task-id="${escapeHtml(task.id)}" data-status="${status}"><span class="sk-task-icon">${icon}</span><span class="sk-task-title">${text(task.title)}</span>${details}</li>`;
}

function textObject(text: TextObject, context: RenderContext): string {
  return text.type === 'mrkdwn' ? mrkdwnToHtml(text.text, context) : plainText(text);
}

function plainText(text: PlainTextElement): string {
  return text.emoji === false ? escapeHtml(text.text) : emojify(escapeHtml(text.text));
}

function unsupported(type: string): string {
  return `<div class="sk-unsupported">[${escapeHtml(type)} is not shown in the playground]</div>`;
}
