import { toolResults } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { type ManualTimer, manualTimer } from '../helpers/manual-timer.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

/**
 * The real bot for watch tests: answers posted and edited, a one-second base interval, a clock the test moves
 * (`clock.offsetMs`) shared with the Scalekit emulator, and a timer that runs one poller pass when told.
 */
export async function startWatchBot(
  maxPollsPerMinute: number,
  env: Record<string, string> = {},
): Promise<{
  t: TestBot;
  scalekit: ScalekitEmulator;
  clock: { offsetMs: number };
  timer: ManualTimer;
  stop(): Promise<void>;
}> {
  const clock = { offsetMs: 0 };
  const now = () => Date.now() + clock.offsetMs;
  const timer = manualTimer();
  const scalekit = await startScalekitEmulator({ now });
  const t = await startTestBot({
    now,
    streaming: false,
    scalekit,
    env: { WATCH_POLL_INTERVAL_MS: '1000', ...env },
    botOptions: { watches: { timer, maxPollsPerMinute } },
  });
  return {
    t,
    scalekit,
    clock,
    timer,
    async stop() {
      await t.stop();
      await scalekit.close();
    },
  };
}

export interface WatchRow {
  id: string;
  user_id: string;
  conversation_id: string;
  channel: string;
  thread_ts: string;
  status: string;
  ended_reason: string | null;
  interval_ms: number;
  next_poll_at: number;
  last_part_id: string | null;
}

/** A fresh copy of a seeded conversation (open, John's, two parts), so tests do not see each other's changes. */
export function newConversation(t: TestBot, from = '215470001'): string {
  const workspace = t.scalekit.intercom;
  const seed = workspace.findConversation(from);
  if (!seed) throw new Error(`no seeded conversation ${from}`);
  const copy = structuredClone(seed);
  copy.id = workspace.newId();
  workspace.conversations.push(copy);
  return copy.id;
}

/** The teammate asks the bot to watch a conversation (the model calls watch_conversation); resolves with the thread. */
export async function watchByAsking(
  t: TestBot,
  user: string,
  conversationId: string,
  channel: string,
): Promise<{ threadTs: string; identifier: string; result: unknown }> {
  const identifier = t.connectUser(user);
  let result: unknown;
  t.model.respond((req) => {
    const [done] = toolResults(req, 'watch_conversation');
    if (done === undefined) {
      return { toolCalls: [{ name: 'watch_conversation', args: { conversation_id: conversationId } }] };
    }
    result = done;
    return { text: 'Watching it.' };
  });
  const threadTs = t.slack.nextTs();
  await t.sendEvent({
    type: 'app_mention',
    user,
    text: `<@UBOT> watch conversation ${conversationId}`,
    ts: threadTs,
    channel,
  });
  await t.slack.waitForAnswer(channel, threadTs);
  return { threadTs, identifier, result };
}

/** The bot's posts in a thread other than its answers: announcements, notes about the watch. */
export function watchPosts(t: TestBot, channel: string, threadTs: string): SlackCall[] {
  return t.slack
    .callsOf('chat.postMessage')
    .filter(
      (c) =>
        c.params.channel === channel &&
        c.params.thread_ts === threadTs &&
        !String(c.params.text).includes('Working on it'),
    );
}

/** The watches table as another process sees it. */
export function watchRows(t: TestBot, where = '1 = 1', ...params: unknown[]): WatchRow[] {
  return t.rows<WatchRow>(`SELECT * FROM watches WHERE ${where} ORDER BY created_at, id`, params);
}

/** Retrieve calls the poller (or anyone) made for a conversation, with the identifier each used. */
export function retrievesOf(t: TestBot, conversationId: string): string[] {
  return t.scalekit
    .callsOf('ExecuteTool')
    .filter(
      (c) =>
        c.request.toolName === 'intercom_retrieve_conversation' &&
        (c.request.params as { conversation_id?: string } | undefined)?.conversation_id === conversationId,
    )
    .map((c) => String(c.request.identifier));
}

/** A click on a watch button, signed as `user`. */
export function clickWatch(
  t: TestBot,
  user: string,
  action: 'draft' | 'note' | 'stop',
  watchId: string,
  where: { channel: string; threadTs: string } | 'home',
) {
  return clickButton(t, user, `watch_${action}`, watchId, where);
}

/** A click on one of the bot's buttons in a thread or in App Home, signed as `user`. */
export function clickButton(
  t: TestBot,
  user: string,
  actionId: string,
  value: string | undefined,
  where: { channel: string; threadTs: string } | 'home',
) {
  const container =
    where === 'home'
      ? { type: 'view', view_id: 'VHOME' }
      : { type: 'message', channel_id: where.channel, message_ts: where.threadTs, is_ephemeral: false };
  return t.sendInteraction({
    type: 'block_actions',
    team: { id: t.slack.teamId, domain: 'test' },
    user: { id: user, team_id: t.slack.teamId, username: user },
    api_app_id: 'A0001',
    token: 'legacy',
    trigger_id: `trigger-${user}`,
    container,
    ...(where !== 'home' && {
      channel: { id: where.channel, name: 'support' },
      message: { type: 'message', ts: t.slack.nextTs(), thread_ts: where.threadTs, text: 'announcement' },
    }),
    ...(where === 'home' && { view: { id: 'VHOME', type: 'home' } }),
    response_url: t.slack.responseUrl(),
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'watch',
        ...(value !== undefined && { value }),
        action_ts: t.slack.nextTs(),
      },
    ],
  });
}
