import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../../src/demo/start-demo.ts';
import type { SlackMessage } from '../../src/standins/slack/emulator.ts';
import { createPostgresDatabase, DIALECTS, postgresMissing } from '../helpers/databases.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'demo-persist-'));
const running: Demo[] = [];
afterAll(async () => {
  for (const demo of running) await demo.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const start = async (reset: boolean, databaseUrl?: string) => {
  const demo = await startDemo({ port: 0, dataDir, reset, databaseUrl, log: () => {} });
  running.push(demo);
  return demo;
};
const stop = async (demo: Demo) => {
  running.splice(running.indexOf(demo), 1);
  await demo.stop();
};
/** An action on the playground page, as its script sends it. */
const act = (demo: Demo, action: string, body: Record<string, unknown>) =>
  fetch(new URL(`/api/${action}`, demo.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: new URL(demo.url).origin },
    body: JSON.stringify(body),
  }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));
const message = (demo: Demo, match: (m: SlackMessage) => boolean, timeoutMs = 10_000) =>
  new Promise<SlackMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no such message')), timeoutMs);
    const check = () => {
      const found = demo.slack.allMessages().find((m) => !m.streaming && match(m));
      if (!found) return;
      clearTimeout(timer);
      off();
      resolve(found);
    };
    const off = demo.slack.onChange(check);
    check();
  });
const card = (m: SlackMessage) => JSON.stringify(m.blocks ?? '').includes('approval_send');

describe.each(DIALECTS)('the demo between runs, on %s', (dialect) => {
  const postgres = dialect === 'postgres';
  // On PostgreSQL (`--database-url`) fresh data is an empty database, not a deleted file.
  const database = async () => (postgres ? createPostgresDatabase({ empty: true }) : undefined);

  it.skipIf(postgres && postgresMissing())(
    'keeps the connection, the channel and a pending approval, which can still be sent after a restart',
    async () => {
      const url = await database();
      const first = await start(true, url);
      const alice = first.identifiers.get('UALICE') as string;
      first.scalekit.connectAccount(alice);
      const asked = await act(first, 'message', {
        user: 'UALICE',
        pane: 'support',
        text: '@bot reply to john@acme.com: Still here after a restart.',
      });
      expect(asked.status).toBe(200);
      const pending = await message(first, card);
      await stop(first);

      const second = await start(false, url);
      expect(second.identifiers.get('UALICE')).toBe(alice);
      expect(second.scalekit.account(alice)?.statusName).toBe('ACTIVE');
      expect(second.slack.allMessages().map((m) => m.text)).toContain(
        '<@UBOT> reply to john@acme.com: Still here after a restart.',
      );
      const clicked = await act(second, 'click', {
        user: 'UALICE',
        kind: 'button',
        blockId: 'approval',
        actionId: 'approval_send',
        value: JSON.stringify(pending.blocks).match(/"value":"([^"]+)"/)?.[1],
        channel: pending.channel,
        ts: pending.ts,
      });
      expect(clicked.status).toBe(200);
      await message(second, (m) => m.ts === pending.ts && JSON.stringify(m.blocks).includes('Done, approved by'));
      const parts = second.scalekit.intercom.findConversation('215470001')?.conversation_parts.conversation_parts ?? [];
      expect(parts.at(-1)?.body).toBe('<p>Still here after a restart.</p>');
      await stop(second);

      const fresh = await start(true, await database());
      expect(fresh.slack.allMessages()).toEqual([]);
      expect(fresh.scalekit.accounts()).toEqual([]);
      expect(fresh.identifiers.get('UALICE')).not.toBe(alice);
      expect(fresh.scalekit.intercom.findConversation('215470001')?.conversation_parts.total_count).toBe(2);
      // Nothing went to a file while the bot's state was in PostgreSQL.
      if (postgres) expect(existsSync(join(dataDir, 'demo.db'))).toBe(false);
    },
    40_000,
  );
});

describe('the playground page', () => {
  it('takes actions only as JSON from its own page, for teammates it knows', async () => {
    const demo = await start(true);
    const fromElsewhere = await fetch(new URL('/api/message', demo.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ user: 'UALICE', pane: 'support', text: '@bot hi' }),
    });
    expect(fromElsewhere.status).toBe(400);
    const form = await fetch(new URL('/api/message', demo.url), {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ user: 'UALICE', pane: 'support', text: '@bot hi' }),
    });
    expect(form.status).toBe(400);
    expect((await act(demo, 'message', { user: 'UMALLORY', pane: 'support', text: 'hi' })).status).toBe(400);
    expect(demo.slack.allMessages()).toEqual([]);
    const page = await fetch(demo.url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });
});

describe("the playground's Scalekit buttons", () => {
  it('Restart Scalekit: the bot reconnects and answers the next question', async () => {
    const demo = await start(true);
    demo.scalekit.connectAccount(demo.identifiers.get('UALICE') as string);
    const answer = (other?: SlackMessage) =>
      message(demo, (m) => m !== other && m.bot_id !== undefined && m.final === true && /John/.test(m.text ?? ''));
    const ask = async () =>
      expect(
        (await act(demo, 'message', { user: 'UALICE', pane: 'support', text: '@bot find john@acme.com' })).status,
      ).toBe(200);

    await ask();
    const first = await answer();
    const restarted = await act(demo, 'scalekit-restart', { user: 'UALICE' });
    expect(restarted.body.message).toContain('Scalekit restarted');
    const opened = demo.scalekit.faults.connectionsOpened;
    await ask();
    await answer(first);
    expect(demo.scalekit.faults.connectionsOpened).toBeGreaterThan(opened);
  });
});

describe("the playground's My queue and connection buttons", () => {
  it('a customer reply reaches Alice in a DM once My queue is on; breaking her connection brings a reconnect DM', async () => {
    const demo = await start(true);
    demo.scalekit.connectAccount(demo.identifiers.get('UALICE') as string);
    // Polls come every 5 s, a quiet queue's backing off to 15 s.
    const dm = (match: RegExp) => message(demo, (m) => m.channel === 'DUALICE' && match.test(m.text ?? ''), 30_000);

    expect((await act(demo, 'home', { user: 'UALICE' })).status).toBe(200);
    const turnedOn = await act(demo, 'click', {
      user: 'UALICE',
      home: true,
      blockId: 'queue',
      actionId: 'queue_on',
    });
    expect(turnedOn.status).toBe(200);
    // On once App Home says so (the click is acknowledged first, then acted on).
    await new Promise<void>((resolve) => {
      const check = () => {
        if (!JSON.stringify(demo.slack.homeOf('UALICE') ?? '').includes('queue_off')) return;
        off();
        resolve();
      };
      const off = demo.slack.onChange(check);
      check();
    });
    const replied = await act(demo, 'customer-replies', { user: 'UALICE' });
    expect(replied.body.message).toContain('assigned to you');
    await dm(/replied in/);

    const broken = await act(demo, 'break-connection', { user: 'UALICE' });
    expect(broken.body.message).toContain('EXPIRED');
    await dm(/expired or was revoked/);
  }, 40_000);
});
