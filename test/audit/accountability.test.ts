import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelRequest, toolResults } from '../../src/standins/model/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const EXPORT = resolve(import.meta.dirname, '../../src/audit/export.ts');
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ streaming: false });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
});

type Blocks = Array<{ type: string; elements?: Array<{ value?: string; url?: string; action_id?: string }> }>;
const elementsOf = (call: SlackCall) => (call.params.blocks as Blocks).flatMap((b) => b.elements ?? []);

function exportTrail(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(
    process.execPath,
    ['--experimental-strip-types', '--disable-warning=ExperimentalWarning', EXPORT, ...args],
    { env: { PATH: process.env.PATH ?? '', ...t.databaseEnv }, encoding: 'utf8' },
  );
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** A connected teammate asks for a lookup and a note; resolves with the approval preview. */
async function lookupAndPropose(user: string, channel: string): Promise<{ actionId: string; threadTs: string }> {
  t.model.respond((req: ModelRequest) => {
    const done = toolResults(req).length;
    if (done === 0) {
      return {
        toolCalls: [
          { name: 'intercom_search_contacts', args: { query: { field: 'email', operator: '=', value: 'jane@x.com' } } },
        ],
      };
    }
    if (done === 1) {
      return {
        toolCalls: [
          {
            name: 'intercom_create_contact_note',
            args: {
              contact_id: '6650a1b2c3d4e5f600000002',
              body: 'Jane asked about refunds; see the long story here.',
            },
          },
        ],
      };
    }
    return { text: 'Proposed a note.' };
  });
  const threadTs = t.slack.nextTs();
  await t.sendEvent({ type: 'app_mention', user, text: '<@UBOT> note jane', ts: threadTs, channel });
  const preview = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === threadTs && JSON.stringify(c.params.blocks ?? '').includes('approval_send'),
    // A whole agent run: on a loaded machine (and with the bot on PostgreSQL) more than the usual 5 s.
    15_000,
  );
  await t.slack.waitForCall(
    'chat.update',
    (c) => c.params.channel === channel && c.params.text === 'Proposed a note.',
    15_000,
  );
  const send = elementsOf(preview).find((e) => e.action_id === 'approval_send');
  return { actionId: String(send?.value), threadTs };
}

function click(
  user: string,
  actionId: string,
  value: string,
  container: Record<string, unknown> = { type: 'message' },
) {
  return t.sendInteraction({
    type: 'block_actions',
    team: { id: t.slack.teamId },
    user: { id: user, team_id: t.slack.teamId },
    api_app_id: 'A0001',
    trigger_id: 'trigger',
    channel: { id: 'CAUD' },
    container,
    response_url: t.slack.responseUrl(`r-${user}-${actionId}`),
    actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: '1' }],
  });
}

describe('the audit trail', () => {
  it('records every tool execution and decision once, with the right user and identifier, and exports it', async () => {
    const since = new Date(Date.now() - 60_000).toISOString().slice(0, 10);
    const identifier = t.connectUser('UAUDIT');
    const sent = await lookupAndPropose('UAUDIT', 'CAUD');
    await click('UAUDIT', 'approval_send', sent.actionId);
    await t.slack.waitForCall('chat.update', (c) => String(c.params.text).includes('approved by'), 15_000);
    const declined = await lookupAndPropose('UAUDIT', 'CAUD');
    await click('UAUDIT', 'approval_cancel', declined.actionId);
    await t.slack.waitForCall('chat.update', (c) => String(c.params.text).includes('Cancelled'));

    const jsonl = exportTrail(['--since', since, '--user', 'UAUDIT', '--format', 'jsonl']);
    expect(jsonl.status).toBe(0);
    const entries = jsonl.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries.every((e) => e.user_id === 'UAUDIT' && e.identifier === identifier && e.team_id === 'T0001')).toBe(
      true,
    );
    const of = (actionId: string) => entries.filter((e) => e.action_id === actionId).map((e) => e.outcome);
    expect(of(sent.actionId)).toEqual(['proposed', 'sent']);
    expect(of(declined.actionId)).toEqual(['proposed', 'cancelled']);
    const sentEntry = entries.find((e) => e.action_id === sent.actionId && e.outcome === 'sent');
    expect(sentEntry).toMatchObject({
      approved_by: 'UAUDIT',
      tool_name: 'intercom_create_contact_note',
      channel: 'CAUD',
    });
    expect(sentEntry?.execution_id).toEqual(expect.any(String));
    expect(sentEntry?.latency_ms).toEqual(expect.any(Number));
    const lookups = entries.filter((e) => e.kind === 'tool_call');
    expect(lookups.map((e) => [e.tool_name, e.outcome])).toEqual([
      ['intercom_search_contacts', 'ok'],
      ['intercom_search_contacts', 'ok'],
    ]);
    // Summaries are short and redacted: no whole message bodies, no readable emails.
    expect(JSON.stringify(entries)).not.toContain('see the long story here');
    expect(JSON.stringify(entries)).not.toContain('jane@x.com');
    expect(String(sentEntry?.args_hash)).toMatch(/^[0-9a-f]{64}$/);

    const csv = exportTrail(['--since', since, '--user', 'UAUDIT', '--format', 'csv']);
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe(
      'at,kind,team_id,user_id,channel,thread_ts,identifier,tool_name,args_hash,summary,outcome,execution_id,latency_ms,approved_by,action_id',
    );
    expect(lines).toHaveLength(entries.length + 1);
    expect(lines.filter((l) => l.includes(`,sent,`))).toHaveLength(1);

    expect(exportTrail(['--since', 'yesterday']).status).toBe(2);
    expect(exportTrail(['--format', 'xml']).stderr).toContain('--format must be jsonl or csv');
  });
});

describe('status and disconnect', () => {
  const status = async (user: string) => {
    const id = `status-${user}-${t.slack.nextTs()}`;
    await t.sendCommand({
      command: '/connect-intercom',
      text: 'status',
      user_id: user,
      response_url: t.slack.responseUrl(id),
    });
    return String((await t.slack.waitForResponse((r) => r.id === id)).body.text);
  };

  it('shows the truth after connecting and after disconnecting, and disconnect cuts the agent off', async () => {
    const user = 'UDISC';
    expect(await status(user)).toContain('not connected');

    await t.sendCommand({ command: '/connect-intercom', text: '', user_id: user });
    const dm = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === `D${user}` && Array.isArray(c.params.blocks),
    );
    expect((await openConnectLink(createBrowser(), String(elementsOf(dm)[0]?.url))).body).toContain(
      'Intercom is connected',
    );
    const connected = await status(user);
    expect(connected).toContain('is connected since');
    expect(connected).toContain('Last 7 days: 0 Intercom lookups, 0 approved changes');

    // A pending approval and a waiting request that disconnecting must cancel.
    const pending = await lookupAndPropose(user, 'CDISC');
    expect(await status(user)).toContain('Last 7 days: 1 Intercom lookup, 0 approved changes');

    const promptId = `disconnect-${user}`;
    await t.sendCommand({
      command: '/connect-intercom',
      text: 'disconnect',
      user_id: user,
      response_url: t.slack.responseUrl(promptId),
    });
    const prompt = await t.slack.waitForResponse((r) => r.id === promptId);
    expect(JSON.stringify(prompt.body.blocks)).toContain('disconnect_confirm');
    const deletesBefore = t.scalekit.callsOf('DeleteConnectedAccount').length;
    await click(user, 'disconnect_confirm', '', { type: 'message_ephemeral' });
    const done = await t.slack.waitForResponse((r) => r.id === `r-${user}-disconnect_confirm`);
    expect(done.body).toMatchObject({ replace_original: true });
    expect(String(done.body.text)).toContain('1 pending approval(s) cancelled');
    expect(
      t.scalekit
        .callsOf('DeleteConnectedAccount')
        .slice(deletesBefore)
        .map((c) => c.request.identifier),
    ).toEqual([t.identifierOf(user)]);
    expect(await status(user)).toContain('not connected');

    // The cancelled approval executes nothing; the next mention asks to connect again.
    await click(user, 'approval_send', pending.actionId);
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === user && String(c.params.text).includes('already handled'),
    );
    const before = t.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === `D${user}`).length;
    const ts = t.slack.nextTs();
    await t.sendEvent({ type: 'app_mention', user, text: '<@UBOT> hello again', ts, channel: 'CDISC' });
    const notice = await t.slack.waitForAnswer('CDISC', ts);
    expect(notice.text).toContain('I need access to your Intercom account');
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) =>
        c.params.channel === `D${user}` &&
        t.slack.callsOf('chat.postMessage').filter((d) => d.params.channel === `D${user}`).length > before,
    );
  });

  it('keeps the connection when the user chooses to', async () => {
    t.connectUser('UKEEP');
    const deletesBefore = t.scalekit.callsOf('DeleteConnectedAccount').length;
    await click('UKEEP', 'disconnect_keep', '');
    const kept = await t.slack.waitForResponse((r) => r.id === 'r-UKEEP-disconnect_keep');
    expect(kept.body.text).toContain('stays');
    expect(t.scalekit.callsOf('DeleteConnectedAccount').length).toBe(deletesBefore);
  });
});

describe('App Home', () => {
  it("shows the viewer's own status and recent actions, and nobody else's", async () => {
    t.connectUser('UHOME');
    await lookupAndPropose('UHOME', 'CHOME');
    t.connectUser('UOTHER');
    await lookupAndPropose('UOTHER', 'COTHER');

    await t.sendEvent({ type: 'app_home_opened', user: 'UHOME', channel: 'DHOME', tab: 'home', event_ts: '1' });
    const published = await t.slack.waitForCall('views.publish', (c) => c.params.user_id === 'UHOME');
    const view = JSON.stringify(published.params.view);
    expect(view).toContain('is connected');
    expect(view).toContain('disconnect_confirm');
    expect(view).toContain('intercom_create_contact_note');
    expect(view).toContain('archives/CHOME/p');
    expect(view).not.toContain('COTHER');

    await t.sendEvent({ type: 'app_home_opened', user: 'UNEW', channel: 'DNEW', tab: 'home', event_ts: '2' });
    const fresh = JSON.stringify(
      (await t.slack.waitForCall('views.publish', (c) => c.params.user_id === 'UNEW')).params.view,
    );
    expect(fresh).toContain('home_connect');
    expect(fresh).toContain('Nothing yet');

    await click('UNEW', 'home_connect', '', { type: 'view', view_id: 'V1' });
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === 'DUNEW' && Array.isArray(c.params.blocks),
    );
  });
});
