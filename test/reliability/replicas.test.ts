import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RoundRobinProxy, startRoundRobinProxy } from '../../src/standins/load-balancer.ts';
import { type OpenAIEmulator, startOpenAIEmulator } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope } from '../../src/standins/slack/signed-requests.ts';
import {
  approvalIdOf,
  type BotProcess,
  clickSend,
  launchBotProcess,
  mentionIn,
  postEvent,
} from '../helpers/bot-process.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import { type BotDatabase, createBotDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/test-bot.ts';

/**
 * Three bot processes on one PostgreSQL database behind a round-robin proxy, driven only through their public
 * contract: Slack's signed requests in, the Slack and Scalekit emulators' recorded calls out.
 */
describe('three processes on one database', () => {
  let slack: SlackApiEmulator;
  let scalekit: ScalekitEmulator;
  let model: OpenAIEmulator;
  let database: BotDatabase;
  let proxy: RoundRobinProxy;
  const bots: BotProcess[] = [];
  const live = () => bots.filter((b) => b.child.exitCode === null && b.child.signalCode === null);
  const CHANNEL = 'CREPL';
  /** Model requests for a message whose text includes `marker` hang, wait for a gate, or answer at once. */
  const gates = new Map<string, { open: () => void; opened: Promise<void> }>();
  const gate = (marker: string) => {
    let open = () => {};
    const opened = new Promise<void>((resolve) => {
      open = resolve;
    });
    gates.set(marker, { open, opened });
    return open;
  };
  const connect = (user: string) => scalekit.connectAccount(database.identifierOf(slack.teamId, user));
  const modelSaw = (marker: string) =>
    vi.waitFor(() => expect(model.requests.some((r) => model.lastUserText(r).includes(marker))).toBe(true), {
      timeout: 15_000,
      interval: 20,
    });
  const noticesIn = (ts: string) =>
    slack
      .callsOf('chat.postMessage')
      .filter((c) => c.params.thread_ts === ts && String(c.params.text).includes('restarted'));

  beforeAll(async () => {
    [slack, scalekit, model] = await Promise.all([
      startSlackApiEmulator(),
      startScalekitEmulator(),
      startOpenAIEmulator({ apiKey: 'sk-replicas' }),
    ]);
    model.respond(async (request) => {
      const text = model.lastUserText(request);
      if (text.includes('hang')) return { hang: true };
      for (const [marker, g] of gates) {
        if (text.includes(marker)) {
          await g.opened;
          return { text: `${marker} done` };
        }
      }
      return { text: 'ok' };
    });
    database = await createBotDatabase();
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    proxy = await startRoundRobinProxy(() => live().map((b) => b.base));
    // Every process gives the proxy's address as its public one, as behind a real load balancer.
    const upstreams = { slack, scalekit, model, modelKey: 'sk-replicas' };
    bots.push(
      ...(await Promise.all(
        ports.map((port) => launchBotProcess({ ...upstreams, database, port, env: { PUBLIC_URL: proxy.url } })),
      )),
    );
  }, 60_000);

  afterAll(async () => {
    // Clean-up only (a failed test may leave a run hanging, which SIGTERM would wait for).
    for (const bot of live()) {
      bot.child.kill('SIGKILL');
      await once(bot.child, 'exit');
    }
    await proxy?.close();
    await database?.drop();
    await Promise.all([slack?.close(), scalekit?.close(), model?.close()]);
  });

  it('acts once on each event, whichever processes get it and its retries', async () => {
    connect('UDUP');
    const threads = Array.from({ length: 6 }, () => slack.nextTs());
    for (const [i, ts] of threads.entries()) {
      const envelope = mentionIn(CHANNEL, 'UDUP', ts, `<@UBOT> duplicate ${i}`);
      // Slack's delivery and its retry reach two different processes at the same moment, and a third copy
      // comes through the load balancer.
      const answers = await Promise.all([
        postEvent(bots[i % 3]?.base ?? '', envelope),
        postEvent(bots[(i + 1) % 3]?.base ?? '', envelope),
        postEvent(proxy.url, envelope),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    }
    for (const ts of threads) {
      const answer = await slack.waitForAnswer(CHANNEL, ts);
      expect(answer.text).toContain('ok');
    }
    for (const [i] of threads.entries()) {
      expect(model.requests.filter((r) => model.lastUserText(r).includes(`duplicate ${i}`))).toHaveLength(1);
    }
  });

  it('sends an approval clicked on all three processes at the same moment exactly once', async () => {
    connect('UCLICK');
    const ts = slack.nextTs();
    model.queue(
      {
        toolCalls: [
          {
            name: 'intercom_create_contact_note',
            args: { contact_id: '6650a1b2c3d4e5f600000001', body: 'Clicked on three replicas.' },
          },
        ],
      },
      { text: 'Note drafted, waiting for your approval.' },
    );
    await postEvent(proxy.url, mentionIn(CHANNEL, 'UCLICK', ts, '<@UBOT> note it'));
    const preview = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === ts && JSON.stringify(c.params.blocks ?? '').includes('approval_send'),
      15_000,
    );
    const clicks = await Promise.all(
      bots.map((b) => clickSend(slack, b.base, 'UCLICK', CHANNEL, approvalIdOf(preview))),
    );
    expect(clicks.map((c) => c.status)).toEqual([200, 200, 200]);
    await slack.waitForCall('chat.update', (c) => String(c.params.text).includes('approved by'), 15_000);
    await vi.waitFor(
      () =>
        expect(
          slack
            .callsOf('chat.postEphemeral')
            .filter((c) => c.params.user === 'UCLICK' && String(c.params.text).includes('already handled')),
        ).toHaveLength(2),
      { timeout: 15_000, interval: 20 },
    );
    const sends = scalekit
      .callsOf('ExecuteTool')
      .filter((c) => JSON.stringify(c.request).includes('Clicked on three replicas'));
    expect(sends).toHaveLength(1);
  });

  it('finishes a connect flow that starts on one process on another', async () => {
    const ts = slack.nextTs();
    await postEvent(proxy.url, mentionIn(CHANNEL, 'UFLOW', ts, '<@UBOT> find jane@x.com'));
    const dm = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === 'DUFLOW' && Array.isArray(c.params.blocks),
      15_000,
    );
    const link = String(
      (dm.params.blocks as Array<{ type: string; elements?: Array<{ url?: string }> }>).find(
        (b) => b.type === 'actions',
      )?.elements?.[0]?.url,
    );
    expect(link.startsWith(proxy.url)).toBe(true);
    const before = proxy.routed.length;
    const page = await openConnectLink(createBrowser(), link);
    expect(page.body).toContain('Intercom is connected');
    // The flow's pages went to more than one process.
    expect(new Set(proxy.routed.slice(before)).size).toBeGreaterThan(1);
    // The request that waited for the connection runs, once (after the thread's note that it waits for it).
    const answer = await slack.waitForAnswer(CHANNEL, ts, 2);
    expect(answer.text).toContain('ok');
  });

  it('runs the turns of one thread in order and one at a time, on whichever processes they arrive', async () => {
    connect('UORDER');
    const first = slack.nextTs();
    const finishFirst = gate('first turn');
    await postEvent(bots[0]?.base ?? '', mentionIn(CHANNEL, 'UORDER', first, '<@UBOT> first turn'));
    await modelSaw('first turn');
    const second = slack.nextTs();
    const reply = eventEnvelope({
      type: 'app_mention',
      user: 'UORDER',
      text: '<@UBOT> second turn',
      ts: second,
      thread_ts: first,
      channel: CHANNEL,
    });
    expect((await postEvent(bots[1]?.base ?? '', reply)).status).toBe(200);
    await bots[1]?.waitForLog((r) => r.msg === 'Waiting for a turn held by another process' && r.ts === second);
    const seenBeforeFirstAnswered = model.requests.filter((r) => model.lastUserText(r).includes('second turn'));
    finishFirst();
    await slack.waitForAnswer(CHANNEL, first, 2, 15_000);
    expect(seenBeforeFirstAnswered).toHaveLength(0);
    const answers = slack.messagesIn(CHANNEL, first).filter((m) => m.user === slack.botUserId && m.final);
    expect(answers.map((m) => m.text)).toEqual([
      expect.stringContaining('first turn done'),
      expect.stringContaining('ok'),
    ]);
  });

  it('stops a run when Stop is pressed on another process', async () => {
    connect('USTOP');
    const ts = slack.nextTs();
    const [runsOn, pressedOn] = [bots[0], bots[1]];
    gate('take your time');
    await postEvent(runsOn?.base ?? '', mentionIn(CHANNEL, 'USTOP', ts, '<@UBOT> take your time'));
    await modelSaw('take your time');
    const stop = eventEnvelope({
      type: 'agent_session_stopped',
      channel: CHANNEL,
      user: 'USTOP',
      thread_ts: ts,
      streaming_message_ts: [],
      event_ts: ts,
    });
    expect((await postEvent(pressedOn?.base ?? '', stop)).status).toBe(200);
    const answer = await slack.waitForAnswer(CHANNEL, ts);
    gates.get('take your time')?.open();
    expect(answer.text).toContain('Stopped. Nothing more was done');
  });

  it('after kill -9 of the leader mid-run: another process takes the lead, tells that user once, and leaves live runs alone', async () => {
    connect('UKILL');
    connect('ULIVE');
    const leaders = await Promise.all(
      bots.map((b) =>
        b
          .waitForLog((r) => r.msg === 'Leading the background work', 1)
          .then(
            () => b,
            () => undefined,
          ),
      ),
    );
    const leader = leaders.find((b) => b !== undefined);
    if (!leader) throw new Error('no process leads');
    const others = bots.filter((b) => b !== leader);

    const killedTs = slack.nextTs();
    await postEvent(leader.base, mentionIn(CHANNEL, 'UKILL', killedTs, '<@UBOT> hang on'));
    const liveTs = slack.nextTs();
    const finishLive = gate('still going');
    await postEvent(others[0]?.base ?? '', mentionIn(CHANNEL, 'ULIVE', liveTs, '<@UBOT> still going'));
    await Promise.all([modelSaw('hang on'), modelSaw('still going')]);

    leader.child.kill('SIGKILL');
    await once(leader.child, 'exit');

    // The lead moves (within REPLICA_TIMEOUT_MS plus a heartbeat), and the new leader reports the cut-off run.
    await Promise.any(others.map((b) => b.waitForLog((r) => r.msg === 'Leading the background work', 20_000)));
    await slack.waitForCall('chat.postMessage', (c) => noticesIn(killedTs).includes(c), 20_000);

    // The live process's run was never taken for interrupted: it finishes with its answer.
    finishLive();
    const answer = await slack.waitForAnswer(CHANNEL, liveTs);
    expect(answer.text).toContain('still going done');
    expect(noticesIn(liveTs)).toHaveLength(0);

    // Nothing is lost after the kill: a new message through the load balancer is answered (by the survivors).
    const after = slack.nextTs();
    await postEvent(proxy.url, mentionIn(CHANNEL, 'ULIVE', after, '<@UBOT> anyone there'));
    expect((await slack.waitForAnswer(CHANNEL, after)).text).toContain('ok');
    expect(noticesIn(killedTs)).toHaveLength(1);
  }, 60_000);

  it('on SIGTERM: refuses new events (Slack retries them elsewhere) and finishes its run before exiting', async () => {
    connect('UTERM');
    const [stopping, other] = live();
    if (!stopping || !other) throw new Error('expected two live processes');
    const ts = slack.nextTs();
    const finish = gate('almost done');
    await postEvent(stopping.base, mentionIn(CHANNEL, 'UTERM', ts, '<@UBOT> almost done'));
    await modelSaw('almost done');
    stopping.child.kill('SIGTERM');
    await stopping.waitForLog((r) => r.msg === 'Stopping');

    const retried = slack.nextTs();
    const envelope = mentionIn(CHANNEL, 'UTERM', retried, '<@UBOT> meanwhile');
    expect((await postEvent(stopping.base, envelope)).status).toBe(503);
    expect((await postEvent(other.base, envelope)).status).toBe(200);

    finish();
    expect((await slack.waitForAnswer(CHANNEL, ts)).text).toContain('almost done done');
    const [code] = await once(stopping.child, 'exit');
    expect(code).toBe(0);
    expect((await slack.waitForAnswer(CHANNEL, retried)).text).toContain('ok');
    expect(noticesIn(ts)).toHaveLength(0);
  }, 60_000);
});
