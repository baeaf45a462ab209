import { once } from 'node:events';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type OpenAIEmulator, startOpenAIEmulator } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope } from '../../src/standins/slack/signed-requests.ts';
import { clickSend as clickSendOn, launchBotProcess, postEvent } from '../helpers/bot-process.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import { type BotDatabase, botDialect, createBotDatabase } from '../helpers/databases.ts';
import { freePort } from '../helpers/test-bot.ts';

let slack: SlackApiEmulator;
let scalekit: ScalekitEmulator;
let model: OpenAIEmulator;
beforeAll(async () => {
  [slack, scalekit, model] = await Promise.all([
    startSlackApiEmulator(),
    startScalekitEmulator(),
    startOpenAIEmulator({ apiKey: 'sk-crash-test' }),
  ]);
  // The run to cut off is recognised by its "working" message, so answers take the post-and-edit path here.
  slack.failAlways('chat.startStream', 'not_allowed_token_type');
});
afterAll(async () => {
  await Promise.all([slack.close(), scalekit.close(), model.close()]);
});

const upstreams = () => ({ slack, scalekit, model, modelKey: 'sk-crash-test' });
const launch = (database: BotDatabase, port: number) => launchBotProcess({ ...upstreams(), database, port });
const post = postEvent;
const clickSend = (base: string, user: string, channel: string, actionId: string) =>
  clickSendOn(slack, base, user, channel, actionId);

describe('after kill -9 in the middle of a run', () => {
  it('restarts on an intact database, tells the user, and keeps flows, parked requests and approvals', async () => {
    const database = await createBotDatabase();
    const port = await freePort();
    let bot = await launch(database, port);
    const identifierOf = async (userId: string) => database.identifierOf(slack.teamId, userId);

    // A pending approval.
    scalekit.connectAccount(await identifierOf('UAPPROVE'));
    model.queue(
      {
        toolCalls: [
          {
            name: 'intercom_create_contact_note',
            args: { contact_id: '6650a1b2c3d4e5f600000001', body: 'Called John about the login bug.' },
          },
        ],
      },
      { text: 'Note drafted, waiting for your approval.' },
    );
    const approvalThread = slack.nextTs();
    await post(
      bot.base,
      eventEnvelope({
        type: 'app_mention',
        user: 'UAPPROVE',
        text: '<@UBOT> note it',
        ts: approvalThread,
        channel: 'CCRASH',
      }),
    );
    const preview = await slack.waitForCall('chat.postMessage', (c) =>
      JSON.stringify(c.params.blocks ?? '').includes('approval_send'),
    );
    await slack.waitForCall('chat.update', (c) => String(c.params.text).includes('waiting for your approval'));

    // A parked request and an open connect link from a teammate who is not connected yet.
    const parkedThread = slack.nextTs();
    await post(
      bot.base,
      eventEnvelope({
        type: 'app_mention',
        user: 'UPARK',
        text: '<@UBOT> find jane@x.com',
        ts: parkedThread,
        channel: 'CCRASH',
      }),
    );
    const dm = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === 'DUPARK' && Array.isArray(c.params.blocks),
    );
    const link = String(
      (dm.params.blocks as Array<{ type: string; elements?: Array<{ url?: string }> }>).find(
        (b) => b.type === 'actions',
      )?.elements?.[0]?.url,
    );

    // A run in flight when the process dies.
    scalekit.connectAccount(await identifierOf('UCRASH'));
    model.queue({ hang: true });
    const crashThread = slack.nextTs();
    await post(
      bot.base,
      eventEnvelope({
        type: 'app_mention',
        user: 'UCRASH',
        text: '<@UBOT> summarize',
        ts: crashThread,
        channel: 'CCRASH',
      }),
    );
    await slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === crashThread && String(c.params.text).includes('Working'),
    );
    bot.child.kill('SIGKILL');
    await once(bot.child, 'exit');

    if (botDialect() === 'sqlite') {
      const check = new Database(database.path, { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
    }

    model.reset();
    bot = await launch(database, port);
    try {
      const notice = await slack.waitForCall(
        'chat.postMessage',
        (c) => c.params.thread_ts === crashThread && String(c.params.text).includes('restarted'),
        // On PostgreSQL, once the killed process's heartbeat is REPLICA_TIMEOUT_MS old.
        15_000,
      );
      expect(notice.params.channel).toBe('CCRASH');

      // The approval made before the crash still works, once.
      const actionId = String(
        (preview.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
          (b) => b.type === 'actions',
        )?.elements?.[0]?.value,
      );
      const click = await clickSend(bot.base, 'UAPPROVE', 'CCRASH', actionId);
      expect(click.status).toBe(200);
      await slack.waitForCall('chat.update', (c) => String(c.params.text).includes('approved by'));
      expect(
        scalekit.callsOf('ExecuteTool').filter((c) => c.request.toolName === 'intercom_create_contact_note'),
      ).toHaveLength(1);

      // The connect link from before the crash still works, and the parked request runs after connecting.
      const page = await openConnectLink(createBrowser(), link);
      expect(page.body).toContain('Intercom is connected');
      await slack.waitForCall(
        'chat.postMessage',
        (c) => c.params.thread_ts === parkedThread && String(c.params.text).includes('Working'),
      );
    } finally {
      bot.child.kill('SIGTERM');
      await once(bot.child, 'exit');
      await database.drop();
    }
  }, 60_000);

  it('while an approved change is being sent: never sends it again, and says it cannot tell whether it went', async () => {
    // This answer streams: its plan shows the proposal, and recovery has to correct it.
    slack.stopFailing('chat.startStream');
    const database = await createBotDatabase();
    const port = await freePort();
    let bot = await launch(database, port);
    scalekit.connectAccount(database.identifierOf(slack.teamId, 'UMIDSEND'));
    model.queue(
      {
        toolCalls: [
          {
            name: 'intercom_create_contact_note',
            args: { contact_id: '6650a1b2c3d4e5f600000001', body: 'Sent while the bot died.' },
          },
        ],
      },
      { text: 'Note drafted, waiting for your approval.' },
    );
    const thread = slack.nextTs();
    await post(
      bot.base,
      eventEnvelope({ type: 'app_mention', user: 'UMIDSEND', text: '<@UBOT> note it', ts: thread, channel: 'CSEND' }),
    );
    const preview = await slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === 'CSEND' && JSON.stringify(c.params.blocks ?? '').includes('approval_send'),
    );
    // The answer's plan shows the proposal until it is decided.
    const answer = await slack.waitForAnswer('CSEND', thread, 1, 15_000);
    const actionId = String(
      (preview.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
        (b) => b.type === 'actions',
      )?.elements?.[0]?.value,
    );
    const click = () => clickSend(bot.base, 'UMIDSEND', 'CSEND', actionId);
    const sends = () =>
      scalekit
        .callsOf('ExecuteTool')
        .filter(
          (c) => c.request.toolName === 'intercom_create_contact_note' && JSON.stringify(c.request).includes('died'),
        );
    // Intercom is slow to answer: the send is in flight when the bot is killed.
    scalekit.toolLatencyMs = 20_000;
    try {
      expect((await click()).status).toBe(200);
      await vi.waitFor(() => expect(sends()).toHaveLength(1), { timeout: 10_000, interval: 20 });
      bot.child.kill('SIGKILL');
      await once(bot.child, 'exit');
    } finally {
      scalekit.toolLatencyMs = 0;
    }

    bot = await launch(database, port);
    try {
      await slack.waitForCall(
        'chat.update',
        (c) =>
          c.params.ts === preview.response?.ts && String(c.params.text).includes('restarted while this was being sent'),
        15_000,
      );
      // The plan says so too, no longer that the note waits for approval.
      const updated = await slack.waitForCall(
        'chat.update',
        (c) => c.params.ts === answer.ts && JSON.stringify(c.params.blocks ?? '').includes('check Intercom'),
      );
      const plan = (updated.params.blocks as Array<{ type: string; tasks?: Array<Record<string, unknown>> }>).find(
        (b) => b.type === 'plan',
      );
      expect(plan?.tasks?.find((task) => task.task_id === `approval-${actionId}`)).toMatchObject({ status: 'error' });
      expect(JSON.stringify(plan)).not.toContain('waiting for your approval');
      expect((await click()).status).toBe(200);
      await slack.waitForCall(
        'chat.postEphemeral',
        (c) => c.params.user === 'UMIDSEND' && String(c.params.text).includes('already handled'),
      );
      expect(sends()).toHaveLength(1);
    } finally {
      bot.child.kill('SIGTERM');
      await once(bot.child, 'exit');
      await database.drop();
    }
  }, 60_000);
});
