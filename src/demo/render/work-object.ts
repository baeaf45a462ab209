import { escapeHtml } from '../../shared/escape.ts';
import { anchor, webHref } from './html.ts';

type Button = { text?: unknown; action_id?: unknown; value?: unknown };
type Field = { label?: unknown; value?: unknown };

/**
 * A Work Object as Slack shows it: the unfurl under a message (title, facts, its primary actions, and Details), or
 * the details pane (every fact and every action). Everything in it is the app's (and so Intercom's) text: escaped.
 */
export function renderWorkObject(entity: Record<string, unknown>, options: { details: boolean; ref?: string }): string {
  const payload = (entity.entity_payload ?? {}) as {
    attributes?: { title?: { text?: unknown }; display_id?: unknown; product_name?: unknown };
    fields?: Record<string, Field>;
    custom_fields?: Field[];
    actions?: { primary_actions?: Button[]; overflow_actions?: Button[] };
  };
  const title = escapeHtml(String(payload.attributes?.title?.text ?? ''));
  const href = typeof entity.url === 'string' ? webHref(entity.url) : undefined;
  const facts = [...Object.values(payload.fields ?? {}), ...(payload.custom_fields ?? [])]
    .filter((f) => f.value !== undefined)
    .map(
      (f) =>
        `<div class="wo-fact"><span class="wo-label">${escapeHtml(String(f.label ?? ''))}</span> ${escapeHtml(String(f.value))}</div>`,
    )
    .join('');
  const actions = [
    ...(payload.actions?.primary_actions ?? []),
    ...(options.details ? (payload.actions?.overflow_actions ?? []) : []),
  ]
    .map(
      (a) =>
        `<button type="button" class="sk-button" data-kind="button" data-block-id="entity" data-action-id="${escapeHtml(
          String(a.action_id ?? ''),
        )}" data-value="${escapeHtml(String(a.value ?? ''))}">${escapeHtml(String(a.text ?? ''))}</button>`,
    )
    .join('');
  const open =
    !options.details && options.ref
      ? `<button type="button" class="sk-button" data-open-details="${escapeHtml(options.ref)}">Details</button>`
      : '';
  const product = escapeHtml(String(payload.attributes?.product_name ?? ''));
  const id = escapeHtml(String(payload.attributes?.display_id ?? ''));
  return `<div class="work-object" data-entity="${escapeHtml(String((entity.external_ref as { id?: unknown })?.id ?? ''))}"><div class="wo-product">${product} ${id}</div><div class="wo-title">${
    href ? anchor(href, title) : title
  }</div>${facts}<div class="wo-actions">${actions}${open}</div></div>`;
}
