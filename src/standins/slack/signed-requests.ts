import { createHmac } from 'node:crypto';

export interface SignedPostOptions {
  signingSecret: string;
  /** Seconds since the epoch; defaults to now. */
  timestamp?: number;
  /** Override the computed signature (forgery tests). */
  signature?: string;
  headers?: Record<string, string>;
}

/** Slack's v0 request signature: HMAC-SHA256 over `v0:<timestamp>:<raw body>`. */
export function slackSignature(signingSecret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export async function postSigned(
  url: string,
  body: string,
  contentType: string,
  options: SignedPostOptions,
): Promise<Response> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': contentType,
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': options.signature ?? slackSignature(options.signingSecret, timestamp, body),
      ...options.headers,
    },
  });
}

let eventCounter = 0;

/** The Events API envelope Slack POSTs for an event. */
export function eventEnvelope(
  event: Record<string, unknown>,
  teamId = 'T0001',
  eventId?: string,
): Record<string, unknown> {
  return {
    token: 'legacy-verification-token',
    team_id: teamId,
    api_app_id: 'A0001',
    type: 'event_callback',
    event_id: eventId ?? `Ev${Date.now()}${++eventCounter}`,
    event_time: Math.floor(Date.now() / 1000),
    event,
  };
}

export function commandBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

export function interactionBody(payload: Record<string, unknown>): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** A block_actions payload as Slack sends it when `user` clicks an element of a message in a thread. */
export function blockActions(params: {
  teamId: string;
  user: string;
  channel: string;
  message: { ts: string | undefined; thread_ts?: string; text?: string; blocks?: unknown };
  action: {
    type: string;
    action_id: string;
    block_id?: string;
    value?: string;
    selected_option?: { value: string; text?: unknown };
  };
  triggerId?: string;
}): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: params.teamId },
    user: { id: params.user, team_id: params.teamId },
    channel: { id: params.channel },
    container: { type: 'message', channel_id: params.channel, message_ts: params.message.ts, is_ephemeral: false },
    message: { type: 'message', ...params.message },
    trigger_id: params.triggerId ?? `trigger-${params.user}`,
    actions: [{ block_id: 'b', action_ts: '1', ...params.action }],
  };
}

/** A view_submission payload: `user` submitted a modal whose inputs hold `values` (raw, as typed). */
export function viewSubmission(params: {
  teamId: string;
  user: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, InputValue>>;
}): Record<string, unknown> {
  const state = viewStateValues(params.values);
  return {
    type: 'view_submission',
    team: { id: params.teamId, domain: 'test' },
    user: { id: params.user, team_id: params.teamId },
    api_app_id: 'A0001',
    token: 'legacy',
    trigger_id: `trigger-submit-${params.user}`,
    view: {
      id: 'V1',
      type: 'modal',
      callback_id: params.callbackId,
      private_metadata: params.privateMetadata,
      state: { values: state },
    },
  };
}

/** What a modal's input holds: typed text, or the option chosen in a select. */
export type InputValue = string | { selected: string };

/**
 * A modal's inputs as Slack reports them: `state.values[block_id][action_id] = { type, value }` for text, or
 * `{ type: 'static_select', selected_option }` for a select.
 */
export function viewStateValues(
  values: Record<string, Record<string, InputValue>>,
): Record<
  string,
  Record<
    string,
    { type: 'plain_text_input'; value: string } | { type: 'static_select'; selected_option: { value: string } }
  >
> {
  return Object.fromEntries(
    Object.entries(values).map(([blockId, inputs]) => [
      blockId,
      Object.fromEntries(
        Object.entries(inputs).map(([actionId, value]) => [
          actionId,
          typeof value === 'string'
            ? { type: 'plain_text_input' as const, value }
            : { type: 'static_select' as const, selected_option: { value: value.selected } },
        ]),
      ),
    ]),
  );
}
