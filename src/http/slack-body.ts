import { z } from 'zod';

// The fields Bolt's own middleware reads before any listener: they must have the types Slack always sends, or
// Bolt throws (a 500) or never acknowledges (a 404 after 3 s). Everything else passes through untouched.
const optionalString = z.string().optional();
const event = z.looseObject({
  type: z.string(),
  user: optionalString,
  channel: optionalString,
  channel_type: optionalString,
  ts: optionalString,
  thread_ts: optionalString,
  event_ts: optionalString,
  text: optionalString,
  subtype: optionalString,
  bot_id: optionalString,
});
const jsonBody = z.union([
  z.looseObject({ type: z.literal('event_callback'), team_id: optionalString, event_id: optionalString, event }),
  z.looseObject({ type: z.string().refine((t) => t !== 'event_callback') }),
]);
const interactive = z.looseObject({
  type: z.enum([
    'block_actions',
    'block_suggestion',
    'view_submission',
    'view_closed',
    'shortcut',
    'message_action',
    'interactive_message',
    'dialog_submission',
    'dialog_cancellation',
  ]),
  user: z.looseObject({ id: z.string(), team_id: optionalString }),
  team: z.looseObject({ id: z.string() }).nullable().optional(),
  channel: z.looseObject({ id: z.string() }).optional(),
  actions: z.array(z.looseObject({ action_id: optionalString, block_id: optionalString })).optional(),
  view: z.looseObject({ callback_id: optionalString, private_metadata: optionalString }).optional(),
});

/**
 * Why a body sent to /slack/events cannot be a Slack request, or undefined if it can. Such bodies get a 4xx before
 * Bolt sees them; a real Slack payload always passes.
 */
export function problemWithSlackBody(raw: string, contentType: string): string | undefined {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    return jsonBody.safeParse(parseJson(raw)).success ? undefined : 'not a Slack event payload';
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(raw);
    const payload = form.get('payload');
    if (payload !== null) {
      return interactive.safeParse(parseJson(payload)).success ? undefined : 'not a Slack interactivity payload';
    }
    if (form.get('ssl_check') !== null) return undefined;
    return form.get('command')?.startsWith('/') && form.get('user_id') && form.get('team_id')
      ? undefined
      : 'not a Slack slash command';
  }
  return 'unsupported content type';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
