import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { ManualTimer } from '../helpers/manual-timer.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import { newConversation, retrievesOf, startWatchBot, watchByAsking, watchRows } from '../watches/watch-helpers.ts';

let t: TestBot;
let scalekit: ScalekitEmulator;
let timer: ManualTimer;
let clock: { offsetMs: number };
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ t, scalekit, timer, clock, stop } = await startWatchBot(60));
});
afterAll(async () => {
  await stop();
});

const pass = async () => {
  clock.offsetMs += 17 * 60_000;
  await timer.fire();
};

function connectionAudit(user: string): string[] {
  const db = new Database(t.dbPath, { readonly: true });
  try {
    return db
      .prepare<[string], { outcome: string }>(
        `SELECT outcome FROM audit_log WHERE kind = 'connection' AND user_id = ? ORDER BY id`,
      )
      .all(user)
      .map((row) => row.outcome);
  } finally {
    db.close();
  }
}

const userChange = (id: string, deleted: boolean) => ({
  type: 'user_change',
  user: { id, team_id: t.slack.teamId, name: id.toLowerCase(), deleted, profile: {} },
  event_ts: t.slack.nextTs(),
});

describe('a teammate deactivated in Slack', () => {
  it('loses their connected account and their watches, with an audit entry; a profile edit changes nothing', async () => {
    const user = 'ULEAVER';
    const conversation = newConversation(t);
    const { identifier } = await watchByAsking(t, user, conversation, 'CLEAVE');

    expect((await t.sendEvent(userChange(user, false))).status).toBe(200);
    expect((await t.sendEvent(userChange('UNEVERMET', true))).status).toBe(200);
    expect(scalekit.account(identifier)?.statusName).toBe('ACTIVE');

    expect((await t.sendEvent(userChange(user, true))).status).toBe(200);
    await t.waitForLog((r) => r.msg === 'Offboarded a teammate deactivated in Slack' && r.userId === user);
    expect(scalekit.account(identifier)).toBeUndefined();
    expect(watchRows(t, 'user_id = ?', user).map((w) => [w.status, w.ended_reason])).toEqual([
      ['ended', 'disconnected'],
    ]);
    expect(connectionAudit(user)).toEqual(['offboarded: deactivated in Slack']);
    const polled = retrievesOf(t, conversation).length;
    await pass();
    expect(retrievesOf(t, conversation).length).toBe(polled);
    // Someone the bot never met is not given an identity for it.
    const db = new Database(t.dbPath, { readonly: true });
    expect(db.prepare(`SELECT COUNT(*) AS n FROM identities WHERE user_id = 'UNEVERMET'`).get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('the workspace gone', () => {
  it('tokens_revoked for the bot and app_uninstalled are acknowledged and end the workspace’s watches', async () => {
    const one = newConversation(t);
    const two = newConversation(t);
    await watchByAsking(t, 'UWS1', one, 'CWS1');
    await watchByAsking(t, 'UWS2', two, 'CWS2');

    // Revoked user tokens (Sign in with Slack) leave the bot working.
    const userTokens = await t.sendEvent({ type: 'tokens_revoked', tokens: { oauth: ['UWS1'], bot: [] } });
    expect(userTokens.status).toBe(200);
    const revoked = await t.sendEvent({ type: 'tokens_revoked', tokens: { oauth: [], bot: ['UBOT'] } });
    expect(revoked.status).toBe(200);
    await t.waitForLog((r) => r.why === 'tokens_revoked');
    expect(watchRows(t, "user_id IN ('UWS1', 'UWS2')").map((w) => w.ended_reason)).toEqual([
      'uninstalled',
      'uninstalled',
    ]);
    expect(t.logs.filter((l) => l.includes('"why":"tokens_revoked"'))).toHaveLength(1);

    const polled = retrievesOf(t, one).length + retrievesOf(t, two).length;
    await pass();
    expect(retrievesOf(t, one).length + retrievesOf(t, two).length).toBe(polled);

    expect((await t.sendEvent({ type: 'app_uninstalled' })).status).toBe(200);
    await t.waitForLog((r) => r.why === 'app_uninstalled');
  });
});
