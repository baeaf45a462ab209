import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.ts';
import { lastUserText, toolResults } from '../../src/standins/model/emulator.ts';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { createWatchStore } from '../../src/watches/watch-store.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import type { ManualTimer } from '../helpers/manual-timer.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import {
  clickWatch,
  newConversation,
  retrievesOf,
  startWatchBot,
  watchByAsking,
  watchPosts,
  watchRows,
} from './watch-helpers.ts';

let w: Awaited<ReturnType<typeof startWatchBot>>;
let t: TestBot;
let scalekit: ScalekitEmulator;
let clock: { offsetMs: number };
let timer: ManualTimer;
const now = () => Date.now() + clock.offsetMs;

beforeAll(async () => {
  w = await startWatchBot(60_000);
  ({ t, scalekit, clock, timer } = w);
});
afterAll(async () => {
  await w.stop();
});
beforeEach(() => {
  t.model.reset();
});

async function pass(ms = 17 * 60_000): Promise<void> {
  clock.offsetMs += ms;
  await timer.fire();
}

const hasAction = (call: SlackCall, actionId: string) => JSON.stringify(call.params.blocks ?? []).includes(actionId);

/** A model that drafts a reply to `conversationId` (or another write) when asked, and otherwise just answers. */
function draftsReplies(
  conversationId: string,
  write: { name: string; args: Record<string, unknown> } = {
    name: 'intercom_reply_to_conversation',
    args: { message_type: 'comment', body: 'On it!' },
  },
) {
  t.model.respond((req) =>
    toolResults(req).length === 0 && /draft|reply|close/i.test(lastUserText(req))
      ? {
          toolCalls: [
            {
              name: write.name,
              args: { conversation_id: conversationId, admin_id: '991002', type: 'admin', ...write.args },
            },
          ],
        }
      : { text: 'It is waiting for your approval.' },
  );
}

/** The teammate asks for a reply and approves it; resolves with the thread and the approval card. */
async function replyAndApprove(
  user: string,
  channel: string,
  conversationId: string,
  write?: Parameters<typeof draftsReplies>[1],
) {
  t.connectUser(user);
  draftsReplies(conversationId, write);
  const threadTs = t.slack.nextTs();
  await t.sendEvent({ type: 'app_mention', user, text: '<@UBOT> reply to john', ts: threadTs, channel });
  // A whole agent run, then a send: on a loaded machine (and with the bot on PostgreSQL) more than the usual 5 s.
  const card = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === threadTs && hasAction(c, 'approval_send'),
    15_000,
  );
  const actions = (card.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
    (b) => b.type === 'actions',
  );
  await t.sendInteraction({
    type: 'block_actions',
    team: { id: t.slack.teamId },
    user: { id: user, team_id: t.slack.teamId },
    api_app_id: 'A0001',
    trigger_id: 'trigger',
    channel: { id: channel },
    container: { type: 'message', channel_id: channel, message_ts: card.response?.ts },
    message: { type: 'message', ts: card.response?.ts, thread_ts: threadTs, text: 'preview' },
    response_url: t.slack.responseUrl(),
    actions: [
      { type: 'button', action_id: 'approval_send', block_id: 'approval', value: actions?.elements?.[0]?.value },
    ],
  });
  await t.slack.waitForCall(
    'chat.update',
    (c) => c.params.ts === card.response?.ts && /approved by/.test(String(c.params.text)),
    15_000,
  );
  return { threadTs };
}

/** Fills a teammate's list of watches directly (their conversations need not exist for this). */
async function fillWatches(user: string, count: number): Promise<void> {
  t.connectUser(user);
  const db = await t.openDb();
  try {
    const store = createWatchStore(db, createAuditLog(db));
    for (let i = 0; i < count; i++) {
      await store.create(
        {
          id: `${user}-${i}`,
          teamId: t.slack.teamId,
          userId: user,
          conversationId: `7000${i}`,
          channel: 'CFULL',
          threadTs: t.slack.nextTs(),
          createdAt: now(),
          lastActivityAt: now(),
          lastPartId: null,
          partsSeen: 0,
          state: 'open',
          assignee: null,
          // Never due here: this file's polls are about other watches.
          nextPollAt: now() + 365 * 24 * 60 * 60_000,
          intervalMs: 1000,
        },
        20,
      );
    }
  } finally {
    await db.close();
  }
}

describe('starting and stopping watches', () => {
  it('an approved reply starts a watch in its thread; Draft a reply brings a new approval card there', async () => {
    const id = newConversation(t);
    const { threadTs } = await replyAndApprove('USTART1', 'CS1', id);
    const started = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === threadTs && String(c.params.text).startsWith(':eyes:'),
    );
    expect(String(started.params.text)).toContain(`answers in conversation ${id} (John Smith)`);
    expect(String(started.params.text)).toContain('7 days without activity');
    expect(hasAction(started, 'watch_stop')).toBe(true);
    const [watch] = watchRows(t, 'user_id = ?', 'USTART1');
    expect(watch).toMatchObject({ conversation_id: id, channel: 'CS1', thread_ts: threadTs, status: 'active' });

    // The teammate's own reply is not news; the customer's answer is.
    await pass();
    expect(watchPosts(t, 'CS1', threadTs).filter((c) => hasAction(c, 'watch_draft'))).toEqual([]);
    scalekit.intercom.customerReplies(id, 'Thanks, trying now.');
    await pass();
    expect(watchPosts(t, 'CS1', threadTs).filter((c) => hasAction(c, 'watch_draft'))).toHaveLength(1);

    // Someone else's click, and a value we never sent, do nothing but say so.
    const requests = t.model.requests.length;
    await clickWatch(t, 'USOMEONE', 'draft', watch?.id ?? '', { channel: 'CS1', threadTs });
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === 'USOMEONE' && String(c.params.text).includes('Only <@USTART1> can use this'),
    );
    await clickWatch(t, 'USTART1', 'stop', 'forged-id', { channel: 'CS1', threadTs });
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === 'USTART1' && String(c.params.text).includes('do not know this watch'),
    );
    expect(t.model.requests.length).toBe(requests);
    expect(watchRows(t, 'id = ?', watch?.id)[0]?.status).toBe('active');

    // Draft a reply: the agent runs in the thread as the watcher, and the draft waits for approval as always.
    draftsReplies(id);
    const cards = () =>
      t.slack
        .callsOf('chat.postMessage')
        .filter((c) => c.params.thread_ts === threadTs && hasAction(c, 'approval_send'));
    expect(cards()).toHaveLength(1);
    await clickWatch(t, 'USTART1', 'draft', watch?.id ?? '', { channel: 'CS1', threadTs });
    await t.slack.waitForCall('chat.postMessage', () => cards().length === 2);
    const asked = t.model.requests.at(-1);
    expect(asked && lastUserText(asked)).toContain(
      `Draft a reply to the customer's latest message in Intercom conversation ${id}`,
    );

    await clickWatch(t, 'USTART1', 'note', watch?.id ?? '', { channel: 'CS1', threadTs });
    await t.slack.waitForCall('chat.postMessage', () => cards().length === 3);
    const noted = t.model.requests.at(-1);
    expect(noted && lastUserText(noted)).toContain(`Draft an internal note on Intercom conversation ${id}`);

    await clickWatch(t, 'USTART1', 'stop', watch?.id ?? '', { channel: 'CS1', threadTs });
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === 'USTART1' && String(c.params.text) === `Stopped watching conversation ${id}.`,
    );
    expect(watchRows(t, 'id = ?', watch?.id)[0]).toMatchObject({ status: 'ended', ended_reason: 'stopped' });
  });

  it('does not watch a conversation the approved write closed', async () => {
    const id = newConversation(t);
    const { threadTs } = await replyAndApprove('UCLOSER', 'CS2', id, {
      name: 'intercom_manage_conversation',
      args: { message_type: 'close' },
    });
    await t.waitForLog(
      (r) => r.msg === 'Not watching a conversation closed by an approved write' && r.channel === 'CS2',
    );
    expect(watchRows(t, 'user_id = ?', 'UCLOSER')).toEqual([]);
    expect(watchPosts(t, 'CS2', threadTs).filter((c) => String(c.params.text).startsWith(':eyes:'))).toEqual([]);
  });

  it('refuses a 21st watch, by asking and after an approved reply, and says which ones run', async () => {
    await fillWatches('UFULL', 20);
    const id = newConversation(t);
    const asked = await watchByAsking(t, 'UFULL', id, 'CFULL');
    expect(asked.result).toMatchObject({ status: 'limit_reached' });
    expect((asked.result as { watching: unknown[] }).watching).toHaveLength(20);

    const { threadTs } = await replyAndApprove('UFULL', 'CFULL', id);
    const note = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === threadTs && String(c.params.text).startsWith("I'm not watching"),
    );
    expect(String(note.params.text)).toContain('You already watch 20 conversations');
    expect(String(note.params.text)).toContain('• 700019');
    expect(watchRows(t, "user_id = ? AND status = 'active'", 'UFULL')).toHaveLength(20);
  });

  it("watches a contact's latest conversation by email, and stops when told in words", async () => {
    const user = 'UWORDS';
    const identifier = t.connectUser(user);
    /** The teammate says `text`; the model calls `tool` with `args`; resolves with what the tool returned. */
    const ask = async (text: string, tool: string, args: Record<string, unknown>) => {
      let result: unknown;
      t.model.respond((req) => {
        const [done] = toolResults(req, tool);
        if (done === undefined) return { toolCalls: [{ name: tool, args }] };
        result = done;
        return { text: 'Done.' };
      });
      const ts = t.slack.nextTs();
      await t.sendEvent({ type: 'app_mention', user, text: `<@UBOT> ${text}`, ts, channel: 'CWORDS' });
      await t.slack.waitForAnswer('CWORDS', ts);
      return result;
    };

    const watching = await ask('let me know when jane@x.com replies', 'watch_conversation', {
      contact_email: 'jane@x.com',
    });
    expect(watching).toMatchObject({
      status: 'watching',
      conversation_id: '215470003',
      customer: 'Jane Doe',
      announcements_go_to: 'this Slack thread',
      ends: expect.stringContaining('7 days without activity'),
    });
    // Found with the teammate's own tools, and recorded like any other lookup.
    const lookups = scalekit
      .callsOf('ExecuteTool')
      .filter((c) =>
        ['intercom_search_contacts', 'intercom_search_conversations'].includes(String(c.request.toolName)),
      );
    expect(lookups.map((c) => c.request.identifier)).toEqual([identifier, identifier]);

    const stopped = await ask('stop watching jane@x.com', 'stop_watching', { contact_email: 'jane@x.com' });
    expect(stopped).toMatchObject({
      status: 'stopped',
      stopped: [{ conversation_id: '215470003' }],
      still_watching: [],
    });
    expect(watchRows(t, 'user_id = ?', user)[0]).toMatchObject({ status: 'ended', ended_reason: 'stopped' });
  });

  it('App Home lists the watches with Stop buttons, and status counts them', async () => {
    const first = newConversation(t);
    const second = newConversation(t);
    await watchByAsking(t, 'UHOMEW', first, 'CH1');
    await watchByAsking(t, 'UHOMEW', second, 'CH2');

    const status = async () => {
      const id = `status-${t.slack.nextTs()}`;
      await t.sendCommand({
        command: '/connect-intercom',
        text: 'status',
        user_id: 'UHOMEW',
        response_url: t.slack.responseUrl(id),
      });
      return String((await t.slack.waitForResponse((r) => r.id === id)).body.text);
    };
    expect(await status()).toContain('Watching 2 conversations for you');

    const published = () => t.slack.callsOf('views.publish').filter((c) => c.params.user_id === 'UHOMEW');
    await t.sendEvent({ type: 'app_home_opened', user: 'UHOMEW', channel: 'DHOMEW', tab: 'home', event_ts: '1' });
    await t.slack.waitForCall('views.publish', () => published().length === 1);
    const view = JSON.stringify(published()[0]?.params.view);
    expect(view).toContain(`Conversation ${first} · John Smith`);
    expect(view).toContain(`Conversation ${second}`);
    expect(view.match(/watch_stop/g)).toHaveLength(2);

    const [watch] = watchRows(t, 'conversation_id = ?', first);
    await clickWatch(t, 'UHOMEW', 'stop', watch?.id ?? '', 'home');
    await t.slack.waitForCall('views.publish', () => published().length === 2);
    const after = JSON.stringify(published()[1]?.params.view);
    expect(after).not.toContain(`Conversation ${first}`);
    expect(after).toContain(`Conversation ${second}`);
    expect(await status()).toContain('Watching 1 conversation for you');
  });

  it('a refused token pauses all their watches with one DM; reconnecting resumes them', async () => {
    const user = 'UREVOKED';
    const one = newConversation(t);
    const two = newConversation(t);
    const { identifier, threadTs } = await watchByAsking(t, user, one, 'CR1');
    await watchByAsking(t, user, two, 'CR2');
    scalekit.revokeIntercomToken(identifier);
    const dms = () => t.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === `D${user}`);

    await pass();
    expect(watchRows(t, 'user_id = ?', user).map((w) => w.status)).toEqual(['paused', 'paused']);
    expect(dms()).toHaveLength(1);
    expect(String(dms()[0]?.params.text)).toContain('expired or was revoked');
    const polled = retrievesOf(t, one).length + retrievesOf(t, two).length;
    await pass();
    expect(retrievesOf(t, one).length + retrievesOf(t, two).length).toBe(polled);
    expect(dms()).toHaveLength(1);

    // The DM's link has expired meanwhile (the clock moved on); the teammate asks for a new one.
    await t.sendCommand({ command: '/connect-intercom', text: '', user_id: user });
    await t.slack.waitForCall('chat.postMessage', () => dms().length === 2);
    const blocks = (dms()[1]?.params.blocks ?? []) as Array<{ type: string; elements?: Array<{ url?: string }> }>;
    const link = blocks.find((b) => b.type === 'actions')?.elements?.[0]?.url;
    expect((await openConnectLink(createBrowser(), String(link))).body).toContain('Intercom is connected');
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === `D${user}` && /connected/i.test(String(c.params.text)),
    );
    expect(watchRows(t, 'user_id = ?', user).map((w) => w.status)).toEqual(['active', 'active']);

    scalekit.intercom.customerReplies(one, 'Are you there?');
    await pass();
    expect(watchPosts(t, 'CR1', threadTs).filter((c) => hasAction(c, 'watch_draft'))).toHaveLength(1);
  });

  it('disconnecting ends their watches at once: nothing is polled after', async () => {
    const user = 'UDISCW';
    const id = newConversation(t);
    await watchByAsking(t, user, id, 'CD1');
    const responseId = `disconnect-${user}`;
    await t.sendInteraction({
      type: 'block_actions',
      team: { id: t.slack.teamId },
      user: { id: user, team_id: t.slack.teamId },
      api_app_id: 'A0001',
      trigger_id: 'trigger',
      channel: { id: 'CD1' },
      container: { type: 'message_ephemeral' },
      response_url: t.slack.responseUrl(responseId),
      actions: [{ type: 'button', action_id: 'disconnect_confirm', block_id: 'b', value: '', action_ts: '1' }],
    });
    const done = await t.slack.waitForResponse((r) => r.id === responseId);
    expect(String(done.body.text)).toContain('1 watched conversation no longer watched');
    expect(watchRows(t, 'user_id = ?', user)[0]).toMatchObject({ status: 'ended', ended_reason: 'disconnected' });
    const polled = retrievesOf(t, id).length;
    await pass();
    expect(retrievesOf(t, id).length).toBe(polled);
  });
});
