import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import { WORKING_PREFIX } from '../src/shared/mrkdwn.ts';
import { emulatorEnv } from '../src/standins/bot-env.ts';
import { lastUserText, type OpenAIEmulator, startOpenAIEmulator, toolResults } from '../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../src/standins/scalekit/emulator.ts';
import { type SlackApiEmulator, type SlackCall, startSlackApiEmulator } from '../src/standins/slack/emulator.ts';
import { eventEnvelope, slackSignature } from '../src/standins/slack/signed-requests.ts';
import {
  ANSWER_MARK,
  type Delivered,
  type Latency,
  MODEL_KEY,
  type Outgoing,
  type Served,
  SIGNING_SECRET,
  type UpstreamKind,
  type UpstreamsReply,
  type UpstreamsRequest,
} from './protocol.ts';

// Everything outside the bot, in a process of its own: Slack (which also sends the teammates' messages), Scalekit
// with Intercom behind it, and the model. It records how long each call really took to serve (emulated latency
// plus timer overshoot plus this process's own queueing) and which message it belonged to, so the benchmark
// subtracts measured time, not nominal latency.

const latency = JSON.parse(process.env.BENCH_LATENCY ?? '{}') as Latency;
const epochMs = () => performance.timeOrigin + performance.now();

// Each HTTP request (Slack, model: HTTP/1.1) and gRPC stream (Scalekit: HTTP/2) is timed from arrival to the end
// of its response. The emulators' own hooks run inside the request's async context, where they name the message
// the call belongs to (its channel, its Scalekit identifier, or its tag in the model's prompt).
interface Timing {
  start: number;
  key?: string;
  kind?: UpstreamKind;
  bytes?: number;
}
const current = new AsyncLocalStorage<Timing>();
const servedByKey = new Map<string, Served[]>();
const finish = (timing: Timing) => {
  if (!timing.key || !timing.kind) return;
  const list = servedByKey.get(timing.key) ?? [];
  list.push({ kind: timing.kind, start: timing.start, end: epochMs(), bytes: timing.bytes });
  servedByKey.set(timing.key, list);
};
subscribe('http.server.request.start', (message) => {
  const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
  const timing: Timing = { start: epochMs(), bytes: Number(request.headers['content-length'] ?? 0) };
  current.enterWith(timing);
  response.once('finish', () => finish(timing));
});
subscribe('http2.server.stream.start', (message) => {
  const { stream } = message as { stream: ServerHttp2Stream };
  const timing: Timing = { start: epochMs() };
  current.enterWith(timing);
  stream.once('close', () => finish(timing));
});
const label = (key: string, kind: UpstreamKind) => {
  const timing = current.getStore();
  if (timing) Object.assign(timing, { key, kind });
};

let slack: SlackApiEmulator;
let scalekit: ScalekitEmulator;
let model: OpenAIEmulator;
/** Messages on their way, by the channel their answer goes to (unique per message and wave). */
const inFlight = new Map<
  string,
  { record: Delivered; done: () => void; isFeedback: (c: SlackCall) => boolean; isFinal: (c: SlackCall) => boolean }
>();

async function start(): Promise<void> {
  slack = await startSlackApiEmulator({ latencyMs: latency.slack });
  scalekit = await startScalekitEmulator({ latencyMs: latency.scalekit, toolLatencyMs: latency.tool });
  model = await startOpenAIEmulator({ apiKey: MODEL_KEY, latencyMs: latency.model });
  // Every message: look John up, then answer. Two model steps and one Intercom tool call.
  model.respond((req) => {
    const tag = /\[(m[^\]]+)\]/.exec(lastUserText(req))?.[1];
    if (tag) label(`model:${tag}`, 'model');
    return toolResults(req).length === 0
      ? {
          toolCalls: [
            {
              name: 'intercom_search_contacts',
              args: { query: { field: 'email', operator: '=', value: 'john@acme.com' } },
            },
          ],
        }
      : { text: `${ANSWER_MARK} (john@acme.com) has 2 open conversations.` };
  });
  slack.onCall(onSlackCall);
  // Scalekit's emulator records each authenticated RPC inside the RPC's own context: name it there.
  const calls = scalekit.calls as Array<(typeof scalekit.calls)[number]>;
  const push = calls.push.bind(calls);
  calls.push = (...items) => {
    const call = items[0];
    const identifier = call?.request.identifier;
    if (call && typeof identifier === 'string')
      label(`sk:${identifier}`, call.rpc === 'ExecuteTool' ? 'tool' : 'scalekit');
    return push(...items);
  };
}

function onSlackCall(call: SlackCall): void {
  const channel = String(call.params.channel ?? call.params.channel_id ?? '');
  label(`slack:${channel}`, 'slack');
  const waiting = inFlight.get(channel);
  if (!waiting) return;
  // call.at is this process's performance.now() when the call arrived: the moment it reached "Slack".
  const at = performance.timeOrigin + call.at;
  if (waiting.record.feedbackAt === undefined && waiting.isFeedback(call)) waiting.record.feedbackAt = at;
  if (waiting.isFinal(call)) {
    const text = finalText(call);
    waiting.record.answerAt = at;
    if (!text.includes(ANSWER_MARK)) waiting.record.failure = text.slice(0, 200);
    waiting.done();
  }
}

const FEEDBACK = new Set(['chat.postMessage', 'chat.startStream', 'assistant.threads.setStatus']);

/** The answer lands as an edit of the working message, a post, or the end of a stream. */
function isFinal(call: SlackCall): boolean {
  if (call.response?.ok !== true) return false;
  if (call.method === 'chat.stopStream') return true;
  if (call.method !== 'chat.update' && call.method !== 'chat.postMessage') return false;
  return !String(call.params.text ?? '').startsWith(WORKING_PREFIX);
}

function finalText(call: SlackCall): string {
  if (call.method === 'chat.stopStream') {
    const message = call.response?.message as { text?: string } | undefined;
    return message?.text ?? '';
  }
  return String(call.params.text ?? '');
}

/** Earlier turns of a conversation, as Slack would hold them before the new message arrives. */
function seedHistory(out: Outgoing, channel: string, threadTs: string | undefined): void {
  for (let turn = 0; turn < out.historyTurns; turn++) {
    const ts = slack.nextTs();
    const fromBot = turn % 2 === 1;
    slack.seedMessage({
      channel,
      ts,
      thread_ts: threadTs ?? undefined,
      ...(fromBot
        ? {
            user: slack.botUserId,
            bot_id: slack.botId,
            text:
              'Jane Doe (jane@example.com) wrote in on Monday about a failed card payment; conversation 215470003 ' +
              'is open and assigned to the billing team. I found no other open conversations.',
          }
        : { user: out.user, text: `<@${slack.botUserId}> what is the latest with jane@example.com? (${turn})` }),
    });
  }
}

async function send(port: number, out: Outgoing, wave: number): Promise<Delivered> {
  const direct = out.kind === 'dm';
  // A fresh conversation per message, so every wave carries the same history.
  const channel = `${direct ? 'D' : 'C'}${out.user}W${wave}`;
  const threadTs = out.kind === 'thread' ? slack.nextTs() : undefined;
  if (threadTs) {
    slack.seedMessage({
      channel,
      ts: threadTs,
      user: out.user,
      text: `<@${slack.botUserId}> help with jane@example.com`,
    });
  }
  if (out.kind !== 'mention') seedHistory(out, channel, threadTs);
  const ts = slack.nextTs();
  const text = `[${out.tag}] summarize john@acme.com`;
  slack.seedMessage({ channel, ts, thread_ts: threadTs, user: out.user, text: `<@${slack.botUserId}> ${text}` });
  const event = direct
    ? { type: 'message', channel_type: 'im', channel, user: out.user, text, ts }
    : { type: 'app_mention', channel, user: out.user, text: `<@${slack.botUserId}> ${text}`, ts, thread_ts: threadTs };
  const record: Delivered = { user: out.user, kind: out.kind, sentAt: 0, ackMs: 0, ackStatus: 0, served: [] };
  const answered = new Promise<void>((resolve) => {
    inFlight.set(channel, { record, done: resolve, isFeedback: (c) => FEEDBACK.has(c.method), isFinal });
  });
  const body = JSON.stringify(eventEnvelope(event, slack.teamId));
  const timestamp = Math.floor(Date.now() / 1000);
  record.sentAt = epochMs();
  const response = await fetch(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(SIGNING_SECRET, timestamp, body),
    },
  });
  record.ackMs = epochMs() - record.sentAt;
  record.ackStatus = response.status;
  await response.body?.cancel();
  await answered;
  inFlight.delete(channel);
  record.served = [
    ...(servedByKey.get(`slack:${channel}`) ?? []),
    ...(servedByKey.get(`model:${out.tag}`) ?? []),
    ...(servedByKey.get(`sk:${out.identifier}`) ?? []),
  ];
  return record;
}

let waves = 0;
async function wave(port: number, messages: Outgoing[], timeoutMs: number): Promise<Delivered[]> {
  const number = ++waves;
  servedByKey.clear();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const sends = messages.map((out) => send(port, out, number));
  const result = await Promise.race([Promise.all(sends), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    for (const { record, done } of inFlight.values()) {
      record.failure = 'no answer in time';
      done();
    }
    return Promise.all(sends);
  }
  // What the emulators remember grows with every call; nothing later needs it.
  for (const list of [slack.calls, scalekit.calls, model.requests, model.apiKeys] as unknown[][]) list.length = 0;
  return result;
}

async function handle(request: UpstreamsRequest): Promise<UpstreamsReply> {
  switch (request.type) {
    case 'reset': {
      // A fresh set per round: the emulators keep every message, and later rounds should not pay for earlier ones.
      if (slack) await Promise.all([slack.close(), scalekit.close(), model.close()]);
      await start();
      const env = emulatorEnv({
        slack,
        scalekit,
        model,
        modelKey: MODEL_KEY,
        signingSecret: SIGNING_SECRET,
        port: 0,
        dbPath: '',
      });
      return { id: request.id, type: 'reset', env, teamId: slack.teamId };
    }
    case 'connect':
      for (const identifier of request.identifiers) scalekit.connectAccount(identifier);
      return { id: request.id, type: 'connect' };
    case 'wave':
      return { id: request.id, type: 'wave', delivered: await wave(request.port, request.messages, request.timeoutMs) };
  }
}

process.on('message', (request: UpstreamsRequest) => {
  handle(request).then(
    (reply) => process.send?.(reply),
    (error: unknown) => process.send?.({ id: request.id, type: 'error', error: String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, type: 'ready' });
