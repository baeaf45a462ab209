import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenAIEmulator, startOpenAIEmulator } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';
import { eventEnvelope, postSigned } from '../../src/standins/slack/signed-requests.ts';
import { type BotProcess, launchBotProcess } from '../helpers/bot-process.ts';
import { type BotDatabase, createBotDatabase } from '../helpers/databases.ts';
import { JOHN_ANSWER, lookUpJohn } from '../helpers/model-replies.ts';
import { freePort, SIGNING_SECRET } from '../helpers/test-bot.ts';

// The real bot in its own process (as `npm start` runs it), with Scalekit restarting, dropping idle connections,
// dropping sockets and refusing connections behind it, round after round. Whatever Scalekit does, the process stays
// up, every request gets exactly one answer, every tool runs exactly once, and the next request works.

const CHANNEL = 'CFAULTS';
const ROUNDS = 4;

let slack: SlackApiEmulator;
let scalekit: ScalekitEmulator;
let model: OpenAIEmulator;
let bot: BotProcess;
let dir: string;
let database: BotDatabase;
let asked = 0;
const threads: string[] = [];

beforeAll(async () => {
  [slack, scalekit, model] = await Promise.all([
    startSlackApiEmulator(),
    startScalekitEmulator(),
    startOpenAIEmulator({ apiKey: 'sk-faults-test' }),
  ]);
  model.respond(lookUpJohn);
  dir = mkdtempSync(join(tmpdir(), 'scalekit-faults-'));
  database = await createBotDatabase({ path: join(dir, 'bot.db') });
  bot = await launchBotProcess({
    slack,
    scalekit,
    model,
    modelKey: 'sk-faults-test',
    database,
    port: await freePort(),
  });
});
afterAll(async () => {
  if (bot.child.exitCode === null) {
    bot.child.kill('SIGTERM');
    await once(bot.child, 'exit');
  }
  await Promise.all([slack.close(), scalekit.close(), model.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A teammate the bot has not served yet (so nothing about them is cached: their status, tools and tool run all go
 * to Scalekit) mentions the bot; resolves with the thread.
 */
async function ask(): Promise<string> {
  asked += 1;
  const userId = `UFAULT${asked}`;
  scalekit.connectAccount(database.identifierOf(slack.teamId, userId));
  const ts = slack.nextTs();
  threads.push(ts);
  const response = await postSigned(
    `${bot.base}/slack/events`,
    JSON.stringify(
      eventEnvelope({ type: 'app_mention', user: userId, text: '<@UBOT> who is john@acme.com?', ts, channel: CHANNEL }),
    ),
    'application/json',
    { signingSecret: SIGNING_SECRET },
  );
  expect(response.status).toBe(200);
  return ts;
}

async function answered(ts: string): Promise<void> {
  const answer = await bot.whileUp(slack.waitForAnswer(CHANNEL, ts, 1, 20_000));
  expect(answer.text).toContain(JOHN_ANSWER);
}

function expectStillUp(): void {
  expect(bot.child.exitCode, bot.stderr().slice(-2000)).toBeNull();
}

describe('the bot, with Scalekit misbehaving behind it', () => {
  it('stays up and answers every request once, round after round', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      // A load balancer or a restarting Scalekit sends GOAWAY on the idle connection; a request follows at once.
      await scalekit.faults.goAway();
      await answered(await ask());

      // Scalekit restarted: it knows no token any more, and GOAWAY goes out just as the new token does.
      scalekit.faults.restart();
      await answered(await ask());

      // GOAWAY while a tool run is open on the connection: the run finishes there, the next request reconnects.
      const hold = scalekit.faults.hold('ExecuteTool');
      const held = await ask();
      await hold.waitForHeld();
      await scalekit.faults.goAway();
      hold.release();
      await answered(held);

      // The socket reset while idle.
      scalekit.faults.dropConnections();
      await answered(await ask());

      // Every connection dropped as soon as it is idle, with several requests at once.
      scalekit.faults.goAwayWhenIdle = true;
      const burst = await Promise.all([ask(), ask(), ask()]);
      for (const ts of burst) await answered(ts);
      scalekit.faults.goAwayWhenIdle = false;

      scalekit.faults.closeDrained();
      expectStillUp();
    }

    // Scalekit refusing connections for two seconds (the outage's length is the scenario), then back.
    await scalekit.faults.refuseConnections();
    const during = await ask();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await scalekit.faults.acceptConnections();
    await answered(during);

    // The next request works, and nothing was done twice.
    await answered(await ask());
    expectStillUp();
    for (const ts of threads) {
      const finals = slack.messagesIn(CHANNEL, ts).filter((m) => m.final);
      expect(finals, `answers in thread ${ts}`).toHaveLength(1);
    }
    const runs = scalekit.callsOf('ExecuteTool').filter((c) => !c.error);
    expect(runs).toHaveLength(threads.length);
    expect(scalekit.faults.connectionsOpened).toBeGreaterThan(ROUNDS * 4);
  }, 120_000);
});
