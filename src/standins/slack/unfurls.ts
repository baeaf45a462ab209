import { z } from 'zod';
import type { WorkspaceState } from './state.ts';
import type { PresentedDetails, UnfurlRecord } from './types.ts';

type Params = Record<string, unknown>;

/** Booleans arrive as "true"/"1" in a form-encoded call, as JSON booleans in a JSON one. */
const flag = (value: unknown) => value === true || value === 'true' || value === '1' || value === 1;

const entityButton = z.object({ text: z.string().min(1), action_id: z.string().min(1), value: z.string().optional() });

/** A Work Object as Slack requires it (the fields @slack/types marks required). */
const entity = z.object({
  entity_type: z.string().min(1),
  url: z.url(),
  app_unfurl_url: z.string().optional(),
  external_ref: z.object({ id: z.string().min(1), type: z.string().optional() }),
  entity_payload: z.object({
    attributes: z.object({ title: z.object({ text: z.string().min(1) }) }).loose(),
    fields: z.record(z.string(), z.unknown()).optional(),
    custom_fields: z
      .array(z.object({ label: z.string().min(1), key: z.string().min(1), type: z.string().min(1) }).loose())
      .optional(),
    actions: z
      .object({
        primary_actions: z.array(entityButton).optional(),
        overflow_actions: z.array(entityButton).optional(),
      })
      .optional(),
  }),
});

const unfurlMetadata = z.object({ entities: z.array(entity.extend({ app_unfurl_url: z.string().min(1) })).min(1) });

/** chat.unfurl: a message (channel + ts) or a composer link (unfurl_id + source), with entities or classic unfurls. */
export function answerUnfurl(state: WorkspaceState, p: Params): Params {
  const byMessage = typeof p.channel === 'string' && typeof p.ts === 'string';
  const byId = typeof p.unfurl_id === 'string' && (p.source === 'composer' || p.source === 'conversations_history');
  if (!byMessage && !byId) return { ok: false, error: 'invalid_arguments' };
  const place = byMessage ? { channel: String(p.channel), ts: String(p.ts) } : state.unfurlIds.get(String(p.unfurl_id));
  if (!place || !state.messages.some((m) => m.channel === place.channel && m.ts === place.ts)) {
    return { ok: false, error: 'cannot_find_message' };
  }
  const authRequired = flag(p.user_auth_required);
  if (p.metadata === undefined && (typeof p.unfurls !== 'object' || p.unfurls === null)) {
    return { ok: false, error: 'invalid_arguments' };
  }
  let entities: UnfurlRecord['entities'];
  if (p.metadata !== undefined) {
    const parsed = unfurlMetadata.safeParse(p.metadata);
    if (!parsed.success) return { ok: false, error: 'invalid_metadata' };
    entities = parsed.data.entities;
  }
  if (authRequired && p.user_auth_url !== undefined && !z.url().safeParse(p.user_auth_url).success) {
    return { ok: false, error: 'invalid_arguments' };
  }
  state.unfurls.push({
    ...place,
    ...(byId && { unfurlId: String(p.unfurl_id) }),
    ...(entities && { entities }),
    ...(authRequired && {
      userAuthRequired: true,
      userAuthUrl: typeof p.user_auth_url === 'string' ? p.user_auth_url : undefined,
    }),
  });
  return { ok: true };
}

const detailsError = z.object({
  status: z.string().min(1),
  custom_title: z.string().optional(),
  custom_message: z.string().optional(),
});

/**
 * entity.presentDetails: one answer per trigger_id of an entity_details_requested event the stand-in sent, and
 * exactly one of metadata, user_auth_required (with its URL) or error.
 */
export function answerPresentDetails(state: WorkspaceState, p: Params): Params {
  const triggerId = typeof p.trigger_id === 'string' ? p.trigger_id : undefined;
  const pending = triggerId ? state.detailsTriggers.get(triggerId) : undefined;
  if (!triggerId || !pending) return { ok: false, error: 'invalid_trigger_id' };
  if (state.details.has(triggerId)) return { ok: false, error: 'trigger_exchanged' };
  const authRequired = flag(p.user_auth_required);
  const answers = [p.metadata !== undefined, authRequired, p.error !== undefined].filter(Boolean).length;
  if (answers !== 1) return { ok: false, error: 'invalid_arguments' };
  const presented: PresentedDetails = { triggerId, user: pending.user };
  if (p.metadata !== undefined) {
    const parsed = entity.safeParse(p.metadata);
    if (!parsed.success) return { ok: false, error: 'invalid_metadata' };
    presented.entity = parsed.data;
  } else if (authRequired) {
    if (!z.url().safeParse(p.user_auth_url).success) return { ok: false, error: 'invalid_arguments' };
    presented.userAuthUrl = String(p.user_auth_url);
  } else {
    const parsed = detailsError.safeParse(p.error);
    if (!parsed.success) return { ok: false, error: 'invalid_arguments' };
    presented.error = parsed.data;
  }
  state.details.set(triggerId, presented);
  return { ok: true };
}
