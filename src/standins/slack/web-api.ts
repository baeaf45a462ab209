import { WORKING_PREFIX } from '../../shared/mrkdwn.ts';
import { messagesInThread, type WorkspaceState } from './state.ts';
import { asStored, continueStream, startStream } from './streams.ts';
import type { SlackMessage } from './types.ts';
import { answerPresentDetails, answerUnfurl } from './unfurls.ts';

type Params = Record<string, unknown>;

const KNOWN_METHODS = new Set([
  'auth.test',
  'apps.connections.open',
  'chat.postMessage',
  'chat.postEphemeral',
  'chat.update',
  'chat.delete',
  'chat.unfurl',
  'entity.presentDetails',
  'conversations.open',
  'conversations.replies',
  'conversations.info',
  'users.info',
  'views.open',
  'views.publish',
  'views.update',
  'reactions.add',
  'reactions.remove',
  'assistant.threads.setStatus',
  'assistant.threads.setSuggestedPrompts',
  'assistant.threads.setTitle',
  'agents.sessions.setStatus',
  'chat.startStream',
  'chat.appendStream',
  'chat.stopStream',
  'conversations.history',
  'openid.connect.token',
  'openid.connect.userInfo',
]);

/** Answers an authenticated Web API call the way Slack does, keeping what it changes in `state`. */
export function answerWebApi(state: WorkspaceState, method: string, p: Params): Params {
  if (!KNOWN_METHODS.has(method)) return { ok: false, error: 'unknown_method' };
  switch (method) {
    case 'auth.test':
      return {
        ok: true,
        user_id: state.botUserId,
        bot_id: state.botId,
        team_id: state.teamId,
        url: 'https://test.slack.com/',
      };
    case 'apps.connections.open':
      return { ok: true, url: `${state.origin.replace('http', 'ws')}/link` };
    case 'conversations.open': {
      const user = String(p.users ?? '').split(',')[0];
      return user ? { ok: true, channel: { id: `D${user}` } } : { ok: false, error: 'users_list_not_supplied' };
    }
    case 'chat.postMessage':
      return postMessage(state, p);
    case 'chat.update': {
      const message = findMessage(state, p);
      if (!message) return { ok: false, error: 'message_not_found' };
      const wasAnswerInProgress = message.chunks !== undefined || message.text?.startsWith(WORKING_PREFIX);
      if (p.text !== undefined) message.text = String(p.text);
      if (p.blocks !== undefined) {
        // A finished stream that is updated becomes what the update says, as any message does.
        if (message.chunks && !message.streaming) delete message.chunks;
        message.blocks = p.blocks;
      }
      if (wasAnswerInProgress && !message.text?.startsWith(WORKING_PREFIX)) message.final = true;
      return { ok: true, channel: message.channel, ts: message.ts };
    }
    case 'chat.delete': {
      const message = findMessage(state, p);
      if (!message) return { ok: false, error: 'message_not_found' };
      state.messages.splice(state.messages.indexOf(message), 1);
      return { ok: true, channel: message.channel, ts: message.ts };
    }
    case 'chat.unfurl':
      return answerUnfurl(state, p);
    case 'entity.presentDetails':
      return answerPresentDetails(state, p);
    case 'chat.startStream':
      return startStream(state, p);
    case 'chat.appendStream':
    case 'chat.stopStream':
      return continueStream(state, method, p);
    case 'conversations.history': {
      const oldest = Number(p.oldest ?? 0);
      const found = state.messages
        .filter((m) => m.channel === p.channel && (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) > oldest)
        .sort((a, b) => Number(b.ts) - Number(a.ts))
        .slice(0, Number(p.limit ?? 100));
      return { ok: true, messages: found.map(asStored), has_more: false };
    }
    case 'chat.postEphemeral': {
      if (!p.channel) return { ok: false, error: 'channel_not_found' };
      if (!p.user) return { ok: false, error: 'user_not_in_channel' };
      const ts = state.nextTs();
      state.ephemerals.push({
        channel: String(p.channel),
        user: String(p.user),
        ts,
        ...(typeof p.thread_ts === 'string' && { thread_ts: p.thread_ts }),
        ...(p.text !== undefined && { text: String(p.text) }),
        ...(p.blocks !== undefined && { blocks: p.blocks }),
      });
      return { ok: true, message_ts: ts };
    }
    case 'conversations.replies': {
      const thread = messagesInThread(state, String(p.channel), String(p.ts));
      return thread.length
        ? { ok: true, messages: thread.map(asStored), has_more: false }
        : { ok: false, error: 'thread_not_found' };
    }
    case 'users.info': {
      const user = state.users.get(String(p.user)) ?? { id: String(p.user) };
      return {
        ok: true,
        user: {
          id: user.id,
          name: user.name ?? user.id,
          real_name: user.name,
          profile: { email: user.email },
          ...(user.tz && { tz: user.tz }),
        },
      };
    }
    case 'views.open':
    case 'views.publish':
    case 'views.update':
      return answerViews(state, method, p);
    default:
      return { ok: true };
  }
}

function postMessage(state: WorkspaceState, p: Params): Params {
  if (!p.channel) return { ok: false, error: 'channel_not_found' };
  if (!p.text && !p.blocks) return { ok: false, error: 'no_text' };
  const message: SlackMessage = {
    channel: String(p.channel),
    ts: state.nextTs(),
    thread_ts: p.thread_ts as string | undefined,
    text: p.text as string | undefined,
    blocks: p.blocks,
    user: state.botUserId,
    bot_id: state.botId,
  };
  state.messages.push(message);
  return { ok: true, channel: message.channel, ts: message.ts, message };
}

function findMessage(state: WorkspaceState, p: Params): SlackMessage | undefined {
  return state.messages.find((m) => m.channel === p.channel && m.ts === p.ts);
}

/** Modals are remembered by the trigger_id that opened them (and updated by view id); Homes by user. */
function answerViews(state: WorkspaceState, method: string, p: Params): Params {
  const view = typeof p.view === 'object' && p.view !== null ? (p.view as Record<string, unknown>) : undefined;
  if (!view) return { ok: false, error: 'invalid_arguments' };
  const id = `V${state.nextId()}`;
  if (method === 'views.publish') {
    if (!p.user_id) return { ok: false, error: 'invalid_arguments' };
    state.homes.set(String(p.user_id), view);
    return { ok: true, view: { id, ...view } };
  }
  if (method === 'views.open') {
    if (!p.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
    state.views.set(String(p.trigger_id), { id, triggerId: String(p.trigger_id), view });
    return { ok: true, view: { id, ...view } };
  }
  const opened = [...state.views.values()].find((v) => v.id === p.view_id);
  if (opened) opened.view = view;
  return { ok: true, view: { id: opened?.id ?? id, ...view } };
}
