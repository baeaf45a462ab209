import { randomBytes } from 'node:crypto';
import { type InputValue, viewStateValues } from '../../standins/slack/signed-requests.ts';

export type { InputValue };

/**
 * What Slack sends an app when someone in the playground acts: Events API events, block_actions and
 * view_submission payloads, slash commands. Shapes follow Slack's, with the fields Bolt and the bot read.
 */
export interface Actor {
  userId: string;
  userName: string;
  teamId: string;
}

let triggers = 0;

/** Slack's trigger ids look like `<seconds>.<n>.<hex>`; one is good for a single views.open. */
export function newTriggerId(now: number): string {
  return `${Math.floor(now / 1000)}.${++triggers}.${randomBytes(8).toString('hex')}`;
}

/** A message event: app_mention when the bot is mentioned in a channel, else `message` (DM or channel thread). */
export function messageEvent(params: {
  actor: Actor;
  channel: string;
  channelType: 'channel' | 'im';
  ts: string;
  threadTs?: string;
  text: string;
  mention: boolean;
}): Record<string, unknown> {
  const { actor, channel, ts, threadTs, text } = params;
  return {
    type: params.mention && params.channelType === 'channel' ? 'app_mention' : 'message',
    ...(!(params.mention && params.channelType === 'channel') && { channel_type: params.channelType }),
    user: actor.userId,
    team: actor.teamId,
    text,
    ts,
    event_ts: ts,
    channel,
    ...(threadTs && { thread_ts: threadTs }),
  };
}

export function appHomeOpened(actor: Actor, dm: string): Record<string, unknown> {
  return { type: 'app_home_opened', user: actor.userId, channel: dm, tab: 'home', event_ts: `${Date.now() / 1000}` };
}

export interface Clicked {
  /** A menu's `value` is the chosen option's. */
  kind: 'button' | 'feedback_buttons' | 'static_select' | 'overflow';
  blockId: string;
  actionId: string;
  value?: string;
  text?: string;
}

/** Where the click happened: a message (with its channel and thread), an ephemeral message, or a view. */
export type Container =
  | { type: 'message'; channel: string; messageTs: string; threadTs?: string; message?: Record<string, unknown> }
  | { type: 'ephemeral'; channel: string; messageTs: string; threadTs?: string }
  | { type: 'view'; viewId: string; view: Record<string, unknown> }
  /** A Work Object's details pane: no message, no channel; the action names the conversation. */
  | { type: 'entity' };

export function blockActions(params: {
  actor: Actor;
  clicked: Clicked;
  container: Container;
  triggerId: string;
  responseUrl?: string;
  now: number;
}): Record<string, unknown> {
  const { actor, clicked, container } = params;
  const actionTs = (params.now / 1000).toFixed(6);
  const action =
    clicked.kind === 'feedback_buttons'
      ? { type: 'feedback_buttons', block_id: clicked.blockId, action_id: clicked.actionId, value: clicked.value ?? '' }
      : clicked.kind === 'static_select' || clicked.kind === 'overflow'
        ? {
            type: clicked.kind,
            block_id: clicked.blockId,
            action_id: clicked.actionId,
            selected_option: { value: clicked.value ?? '', text: { type: 'plain_text', text: clicked.text ?? '' } },
          }
        : {
            type: 'button',
            block_id: clicked.blockId,
            action_id: clicked.actionId,
            text: { type: 'plain_text', text: clicked.text ?? '', emoji: true },
            ...(clicked.value !== undefined && { value: clicked.value }),
          };
  const base = {
    type: 'block_actions',
    user: { id: actor.userId, username: actor.userName.toLowerCase(), name: actor.userName, team_id: actor.teamId },
    api_app_id: 'A0DEMO',
    token: 'legacy-verification-token',
    team: { id: actor.teamId, domain: 'acme-support-demo' },
    enterprise: null,
    is_enterprise_install: false,
    trigger_id: params.triggerId,
    actions: [{ ...action, action_ts: actionTs }],
  };
  if (container.type === 'entity') return { ...base, container: { type: 'entity_detail' } };
  if (container.type === 'view') {
    return {
      ...base,
      container: { type: 'view', view_id: container.viewId },
      view: { id: container.viewId, team_id: actor.teamId, ...container.view },
    };
  }
  const ephemeral = container.type === 'ephemeral';
  return {
    ...base,
    container: {
      type: 'message',
      message_ts: container.messageTs,
      channel_id: container.channel,
      is_ephemeral: ephemeral,
      ...(container.threadTs && { thread_ts: container.threadTs }),
    },
    channel: { id: container.channel, name: container.channel },
    ...(!ephemeral && container.type === 'message' && { message: { ts: container.messageTs, ...container.message } }),
    ...(params.responseUrl && { response_url: params.responseUrl }),
  };
}

/** The modal's inputs as Slack reports them (see viewStateValues). */
export function viewSubmission(params: {
  actor: Actor;
  viewId: string;
  view: Record<string, unknown>;
  values: Record<string, Record<string, InputValue>>;
  triggerId: string;
}): Record<string, unknown> {
  const values = viewStateValues(params.values);
  return {
    type: 'view_submission',
    team: { id: params.actor.teamId, domain: 'acme-support-demo' },
    user: {
      id: params.actor.userId,
      username: params.actor.userName.toLowerCase(),
      name: params.actor.userName,
      team_id: params.actor.teamId,
    },
    api_app_id: 'A0DEMO',
    token: 'legacy-verification-token',
    trigger_id: params.triggerId,
    view: { ...params.view, id: params.viewId, team_id: params.actor.teamId, state: { values } },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

export function slashCommand(params: {
  actor: Actor;
  channel: string;
  command: string;
  text: string;
  responseUrl: string;
  triggerId: string;
}): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: params.actor.teamId,
    team_domain: 'acme-support-demo',
    channel_id: params.channel,
    channel_name: params.channel,
    user_id: params.actor.userId,
    user_name: params.actor.userName.toLowerCase(),
    command: params.command,
    text: params.text,
    api_app_id: 'A0DEMO',
    response_url: params.responseUrl,
    trigger_id: params.triggerId,
  };
}
