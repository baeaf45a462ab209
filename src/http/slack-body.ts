import { z } from 'zod';

// The fields Bolt's own middleware reads before any listener: they must have the types Slack always sends, or
// Bolt throws (a 500) or never acknowledges (a 404 after 3 s). Everything else passes through untouched.
const optionalString = z.string().optional();
const event = z.looseObject({
  type: z.string(),
  // A user id, or the whole user (user_change, team_join).
  user: z.union([z.string(), z.looseObject({ id: z.string() })]).optional(),
  channel: optionalString,
  channel_type: optionalString,
  ts: optionalString,
  thread_ts: optionalString,
  event_ts: optionalString,
  text: optionalString,
  subtype: optionalString,
  bot_id: optionalString,
});
const envelope = z.looseObject({
  type: z.literal('event_callback'),
  team_id: optionalString,
  event_id: optionalString,
  event: z.looseObject({ type: z.string() }),
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

export type SlackBody =
  | { ok: true; body: Record<string, unknown> }
  /** A well-formed event of a kind the bot has no listener for, shaped unlike what Bolt's middleware reads. */
  | { ok: true; ignore: true; eventType: string }
  | { ok: false; status: 400 | 415; problem: string };

/**
 * The body of a signed request to /slack/events as Bolt expects it (the JSON event, the interactivity `payload`, or
 * the slash command's fields), or why it cannot be a Slack request. Only called after the signature checked out:
 * such bodies get a 4xx before Bolt sees them; a real Slack payload always passes.
 */
export function parseSlackBody(raw: string, contentType: string): SlackBody {
  const type = contentType.split(';')[0]?.trim().toLowerCase();
  if (type === 'application/json') {
    const body = parseJson(raw);
    if (jsonBody.safeParse(body).success) return accept(body);
    // Slack retries anything but a 2xx: an event type we never asked for (user_change, channel_created: objects
    // where a message has strings) is acknowledged and left alone, not refused.
    const other = envelope.safeParse(body);
    return other.success
      ? { ok: true, ignore: true, eventType: other.data.event.type }
      : refuse('not a Slack event payload');
  }
  if (type === 'application/x-www-form-urlencoded') {
    const form = firstValues(new URLSearchParams(raw));
    if (form.payload !== undefined) {
      const payload = parseJson(form.payload);
      return interactive.safeParse(payload).success ? accept(payload) : refuse('not a Slack interactivity payload');
    }
    if (form.ssl_check !== undefined) return accept(form);
    return form.command?.startsWith('/') && form.user_id && form.team_id
      ? accept(form)
      : refuse('not a Slack slash command');
  }
  return { ok: false, status: 415, problem: 'unsupported content type' };
}

function accept(body: unknown): SlackBody {
  // The schemas above only pass objects.
  return { ok: true, body: body as Record<string, unknown> };
}

function refuse(problem: string): SlackBody {
  return { ok: false, status: 400, problem };
}

/** A repeated field counts once, with its first value: what the checks above saw is what Bolt gets. */
function firstValues(form: URLSearchParams): Record<string, string> {
  const fields = new Map<string, string>();
  for (const [key, value] of form) if (!fields.has(key)) fields.set(key, value);
  // fromEntries defines own properties, so a field named `__proto__` stays a plain field.
  return Object.fromEntries(fields);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
