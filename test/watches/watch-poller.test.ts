import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { ManualTimer } from '../helpers/manual-timer.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import { newConversation, retrievesOf, startWatchBot, watchByAsking, watchPosts, watchRows } from './watch-helpers.ts';

let w: Awaited<ReturnType<typeof startWatchBot>>;
let t: TestBot;
let scalekit: ScalekitEmulator;
let clock: { offsetMs: number };
let timer: ManualTimer;

beforeAll(async () => {
  w = await startWatchBot(60_000);
  ({ t, scalekit, clock, timer } = w);
});
afterAll(async () => {
  await w.stop();
});

/** Moves the clock past every watch's next poll (quiet ones back off to 15 minutes) and runs one pass. */
async function pass(ms = 17 * 60_000): Promise<void> {
  clock.offsetMs += ms;
  await timer.fire();
}

const announcements = (channel: string, threadTs: string) => watchPosts(t, channel, threadTs);

function auditRows(user: string): Array<{ tool_name: string; outcome: string; summary: string; identifier: string }> {
  return t.rows(
    `SELECT tool_name, outcome, summary, identifier FROM audit_log WHERE kind = 'watch' AND user_id = ? ORDER BY id`,
    [user],
  );
}

describe('watching a conversation between requests', () => {
  it("announces the customer's answer once, in the watch's thread, polling as the watcher only", async () => {
    const mine = newConversation(t);
    const theirs = newConversation(t);
    const me = await watchByAsking(t, 'UWATCH1', mine, 'CW1');
    const other = await watchByAsking(t, 'UWATCH2', theirs, 'CW2');
    expect(me.result).toMatchObject({ status: 'watching', conversation_id: mine, customer: 'John Smith' });

    await pass();
    expect(announcements('CW1', me.threadTs)).toEqual([]);

    scalekit.intercom.customerReplies(
      mine,
      '<p>Still broken &lt;!channel&gt; @here<br>second line<br>third<br>fourth</p>',
    );
    await pass();
    const [announced, ...more] = announcements('CW1', me.threadTs);
    expect(more).toEqual([]);
    const text = JSON.stringify(announced?.params.blocks);
    expect(text).toContain('John Smith');
    expect(text).toContain(`answered in conversation ${mine}`);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain(' @here');
    expect(text).toContain('> third');
    expect(text).not.toContain('fourth');
    expect(text).toContain('<@UWATCH1>');
    for (const action of ['watch_draft', 'watch_note', 'watch_stop']) expect(text).toContain(action);
    // The conversation's card, to act on it in one click: it is waiting on the team now.
    expect(text).toContain(`convcard:${mine}:actions`);
    expect(text).toMatch(/Waiting \d+ min/);
    // Nothing for the other teammate, whose conversation did not change.
    expect(announcements('CW2', other.threadTs)).toEqual([]);
    // Every read of each conversation used its watcher's own identifier.
    expect(new Set(retrievesOf(t, mine))).toEqual(new Set([me.identifier]));
    expect(new Set(retrievesOf(t, theirs))).toEqual(new Set([other.identifier]));

    const polled = retrievesOf(t, mine).length;
    await pass();
    await pass();
    expect(retrievesOf(t, mine).length).toBe(polled + 2);
    expect(announcements('CW1', me.threadTs)).toHaveLength(1);
    // The trail has the start and the one announcement; quiet polls leave nothing.
    expect(auditRows('UWATCH1').map((r) => r.outcome)).toEqual(['started', 'announced']);
    expect(auditRows('UWATCH1')[1]).toMatchObject({
      tool_name: 'intercom_retrieve_conversation',
      summary: `conversation_id=${mine} events=customer_reply`,
      identifier: me.identifier,
    });
  });

  it('backs off for a quiet conversation and returns to the base interval on activity', async () => {
    const id = newConversation(t);
    await watchByAsking(t, 'UWATCH3', id, 'CW3');
    const interval = () => watchRows(t, 'conversation_id = ?', id)[0]?.interval_ms;
    expect(interval()).toBe(1000);
    await pass();
    expect(interval()).toBe(2000);
    await pass();
    expect(interval()).toBe(4000);
    scalekit.intercom.customerReplies(id, 'hello?');
    await pass();
    expect(interval()).toBe(1000);
  });

  it('survives a restart without announcing anything twice', async () => {
    const id = newConversation(t);
    const me = await watchByAsking(t, 'UWATCH4', id, 'CW4');
    scalekit.intercom.customerReplies(id, 'Any news?');
    await pass();
    expect(announcements('CW4', me.threadTs)).toHaveLength(1);

    await t.restart();
    const polled = retrievesOf(t, id).length;
    await pass();
    expect(retrievesOf(t, id).length).toBe(polled + 1);
    expect(announcements('CW4', me.threadTs)).toHaveLength(1);

    scalekit.intercom.customerReplies(id, 'Hello again');
    await pass();
    const posted = announcements('CW4', me.threadTs);
    expect(posted).toHaveLength(2);
    expect(JSON.stringify(posted[1]?.params.blocks)).toContain('Hello again');
  });

  it('reports snoozing, reopening and reassignment, then the close, after which the watch ends', async () => {
    const id = newConversation(t);
    const me = await watchByAsking(t, 'UWATCH5', id, 'CW5');
    const latest = () => JSON.stringify(announcements('CW5', me.threadTs).at(-1)?.params.blocks);
    // The watcher is Alice in Intercom.
    scalekit.intercom.bindAdmin(me.identifier, '991001');

    scalekit.intercom.changeConversation(id, { state: 'snoozed' });
    await pass();
    expect(latest()).toContain(`Conversation ${id} was snoozed until`);
    scalekit.intercom.changeConversation(id, { state: 'open' });
    await pass();
    expect(latest()).toContain(`Conversation ${id} was reopened`);
    scalekit.intercom.changeConversation(id, { assigneeId: '991002', by: '991001' });
    await pass();
    const name = (id: string) => scalekit.intercom.findAdmin(id)?.name ?? '?';
    expect(latest()).toContain(`reassigned to someone else (Intercom admin 991002) by ${name('991001')}`);
    // Being assigned the conversation oneself is no news.
    scalekit.intercom.changeConversation(id, { assigneeId: '991001' });
    await pass();
    expect(announcements('CW5', me.threadTs)).toHaveLength(3);

    scalekit.intercom.changeConversation(id, { state: 'closed', by: '991002' });
    await pass();
    expect(latest()).toContain(`Conversation ${id} was closed by ${name('991002')}`);
    expect(latest()).not.toContain('watch_draft');
    expect(watchRows(t, 'conversation_id = ?', id)[0]).toMatchObject({ status: 'ended', ended_reason: 'closed' });
    const polled = retrievesOf(t, id).length;
    await pass();
    expect(retrievesOf(t, id).length).toBe(polled);
    expect(announcements('CW5', me.threadTs)).toHaveLength(4);
  });

  it('stops all polling for a while when Intercom answers 429', async () => {
    const id = newConversation(t);
    await watchByAsking(t, 'UWATCH6', id, 'CW6');
    scalekit.failNextTool({ toolName: 'intercom_retrieve_conversation', kind: 'rate_limited' });
    await pass();
    await t.waitForLog((r) => r.msg.includes('rate-limiting; the watch poller pauses'));
    expect(timer.delayMs).toBeGreaterThanOrEqual(59_000);

    const calls = scalekit.callsOf('ExecuteTool').length;
    await pass(30_000);
    expect(scalekit.callsOf('ExecuteTool').length).toBe(calls);
    await pass(31_000);
    expect(retrievesOf(t, id).length).toBeGreaterThan(1);
  });

  it('ends a watch whose conversation Intercom no longer lets the watcher read, saying so in the thread', async () => {
    const id = newConversation(t);
    const me = await watchByAsking(t, 'UWATCH7', id, 'CW7');
    scalekit.failNextTool({
      toolName: 'intercom_retrieve_conversation',
      params: { conversation_id: id },
      kind: 'forbidden',
    });
    await pass();
    expect(watchRows(t, 'conversation_id = ?', id)[0]).toMatchObject({ status: 'ended', ended_reason: 'forbidden' });
    expect(String(announcements('CW7', me.threadTs).at(-1)?.params.text)).toContain(
      'Intercom no longer lets your account read it',
    );
    const polled = retrievesOf(t, id).length;
    await pass();
    expect(retrievesOf(t, id).length).toBe(polled);
  });

  it('ends a watch after 7 days without activity, saying so in its thread', async () => {
    const id = newConversation(t);
    const me = await watchByAsking(t, 'UWATCH8', id, 'CW8');
    await pass(7 * 24 * 60 * 60_000 + 60_000);
    expect(watchRows(t, 'conversation_id = ?', id)[0]).toMatchObject({ status: 'ended', ended_reason: 'inactive' });
    expect(String(announcements('CW8', me.threadTs).at(-1)?.params.text)).toContain(
      'nothing happened there for 7 days',
    );
  });
});
