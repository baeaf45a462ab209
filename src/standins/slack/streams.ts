import type { WorkspaceState } from './state.ts';
import type { SlackMessage } from './types.ts';

type Params = Record<string, unknown>;

/** chat.startStream: a message in a thread that grows with appendStream until stopStream. */
export function startStream(state: WorkspaceState, p: Params): Params {
  if (!p.channel) return { ok: false, error: 'channel_not_found' };
  if (!p.thread_ts) return { ok: false, error: 'missing_thread_ts' };
  // Outside a DM only one person sees a stream live, and Slack insists on being told who.
  if (!String(p.channel).startsWith('D')) {
    if (!p.recipient_team_id) return { ok: false, error: 'missing_recipient_team_id' };
    if (!p.recipient_user_id) return { ok: false, error: 'missing_recipient_user_id' };
  }
  const message: SlackMessage = {
    channel: String(p.channel),
    ts: state.nextTs(),
    thread_ts: String(p.thread_ts),
    text: '',
    user: state.botUserId,
    bot_id: state.botId,
    streaming: true,
    chunks: [],
    ...(typeof p.recipient_user_id === 'string' && { recipient_user_id: p.recipient_user_id }),
  };
  appendToStream(message, p);
  state.messages.push(message);
  return { ok: true, channel: message.channel, ts: message.ts };
}

/** chat.appendStream and chat.stopStream (which may also set the final blocks). */
export function continueStream(state: WorkspaceState, method: string, p: Params): Params {
  const message = state.messages.find((m) => m.channel === p.channel && m.ts === p.ts);
  if (!message) return { ok: false, error: 'message_not_found' };
  if (!message.streaming) return { ok: false, error: 'message_not_in_streaming_state' };
  appendToStream(message, p);
  if (method === 'chat.stopStream') {
    message.streaming = false;
    message.final = true;
    if (p.blocks !== undefined) message.blocks = p.blocks;
    return { ok: true, channel: message.channel, ts: message.ts, message };
  }
  return { ok: true, channel: message.channel, ts: message.ts };
}

/** A stream's text is what its markdown_text chunks add up to; task and plan chunks are kept as sent. */
function appendToStream(message: SlackMessage, p: Params): void {
  const chunks = [
    ...(typeof p.markdown_text === 'string' ? [{ type: 'markdown_text', text: p.markdown_text }] : []),
    ...(Array.isArray(p.chunks) ? (p.chunks as Array<Record<string, unknown>>) : []),
  ];
  for (const chunk of chunks) {
    message.chunks?.push(chunk);
    if (chunk.type === 'markdown_text') message.text = `${message.text ?? ''}${String(chunk.text ?? '')}`;
  }
}

/**
 * A finished stream as Slack returns it when the message is read (conversations.replies or .history): one message
 * whose blocks are its plan (the task_update chunks, each at its latest state, as task cards), its Markdown text,
 * and the blocks it was stopped with. A live stream is returned as it is.
 */
export function asStored(message: SlackMessage): SlackMessage {
  if (!message.chunks || message.streaming) return message;
  const tasks = new Map<string, Record<string, unknown>>();
  let title = '';
  const added: unknown[] = [];
  for (const chunk of message.chunks) {
    if (chunk.type === 'task_update') tasks.set(String(chunk.id), { ...tasks.get(String(chunk.id)), ...chunk });
    else if (chunk.type === 'plan_update') title = String(chunk.title ?? '');
    else if (chunk.type === 'blocks' && Array.isArray(chunk.blocks)) added.push(...chunk.blocks);
  }
  const plan = [...tasks.values()].map((task) => ({
    type: 'task_card',
    task_id: task.id,
    title: task.title,
    status: task.status,
  }));
  const { chunks: _chunks, ...rest } = message;
  return {
    ...rest,
    blocks: [
      ...(plan.length > 0 ? [{ type: 'plan', title, tasks: plan }] : []),
      ...(message.text ? [{ type: 'markdown', text: message.text }] : []),
      ...added,
      ...(Array.isArray(message.blocks) ? message.blocks : []),
    ],
  };
}
