import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { ManualTimer } from '../helpers/manual-timer.ts';
import type { TestBot } from '../helpers/test-bot.ts';
import { clickButton, newConversation, startWatchBot } from '../watches/watch-helpers.ts';

interface Env {
  t: TestBot;
  scalekit: ScalekitEmulator;
  timer: ManualTimer;
  clock: { offsetMs: number };
  stop: () => Promise<void>;
}

const dmsTo = (env: Env, user: string) =>
  env.t.slack.callsOf('chat.postMessage').filter((c) => c.params.channel === `D${user}`);
const pass = async (env: Env, ms = 17 * 60_000) => {
  env.clock.offsetMs += ms;
  await env.timer.fire();
};
/** Searches of My queue made with this identifier. */
const searches = (env: Env, identifier: string) =>
  env.scalekit
    .callsOf('ExecuteTool')
    .filter((c) => c.request.toolName === 'intercom_search_conversations' && c.request.identifier === identifier);

/** A connected teammate with their own Intercom admin, and `count` open conversations assigned to them. */
function teammateWithQueue(env: Env, user: string, count: number) {
  const identifier = env.t.connectUser(user);
  const admin = env.scalekit.intercom.adminFor(identifier);
  const conversations = Array.from({ length: count }, () => {
    const id = newConversation(env.t);
    env.scalekit.intercom.changeConversation(id, { assigneeId: admin.id, by: admin.id });
    return id;
  });
  return { identifier, admin, conversations };
}

/** The teammate presses My queue's button in App Home; resolves with the Home published after it. */
async function toggleQueue(env: Env, user: string, on: boolean) {
  const { t } = env;
  const before = t.slack.callsOf('views.publish').filter((c) => c.params.user_id === user).length;
  await clickButton(t, user, on ? 'queue_on' : 'queue_off', undefined, 'home');
  const published = await t.slack.waitForCall(
    'views.publish',
    () => t.slack.callsOf('views.publish').filter((c) => c.params.user_id === user).length === before + 1,
  );
  return JSON.stringify(
    t.slack
      .callsOf('views.publish')
      .filter((c) => c.params.user_id === user)
      .at(-1)?.params.view ?? published,
  );
}

describe('My queue', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startWatchBot(60);
  });
  afterAll(async () => {
    await env.stop();
  });

  it('DMs each new customer reply on my assigned open conversations once, and nothing else, also across a restart', async () => {
    const { t, scalekit } = env;
    const user = 'UQUEUE';
    const { identifier, conversations } = teammateWithQueue(env, user, 2);
    const [mine, other] = conversations as [string, string];
    const colleague = teammateWithQueue(env, 'UCOLLEAGUE', 1);
    const theirs = colleague.conversations[0] as string;

    const home = await toggleQueue(env, user, true);
    expect(home).toContain('My queue');
    expect(home).toContain('queue_off');
    // App Home's list was one search; the first poll sees the queue as it is: nothing in it is news.
    expect(searches(env, identifier)).toHaveLength(1);
    await pass(env);
    expect(searches(env, identifier)).toHaveLength(2);
    expect(dmsTo(env, user)).toHaveLength(0);

    scalekit.intercom.customerReplies(mine, 'Still broken &amp; a &lt; b<br>line 2<br>line 3<br>line 4');
    scalekit.intercom.customerReplies(theirs, 'Hello colleague');
    await pass(env);
    // One search per teammate per poll, not one per conversation.
    expect(searches(env, identifier)).toHaveLength(3);
    expect(dmsTo(env, user)).toHaveLength(1);
    const dm = JSON.stringify(dmsTo(env, user)[0]?.params.blocks);
    // Intercom's text, escaped for Slack and clipped to three lines.
    expect(dm).toContain('> Still broken &amp; a &lt; b\\n> line 2\\n> line 3\\n> …');
    // The conversation's card, with its one-click actions, linked into the inbox.
    expect(dm).toContain('conv_assign_me');
    expect(dm).toContain(`/inbox/conversation/${mine}`);
    // Nobody else hears about my queue; the colleague has not turned theirs on.
    expect(dmsTo(env, 'UCOLLEAGUE')).toHaveLength(0);

    // Replies by the team or a bot are not news.
    scalekit.intercom.teamReplies(mine, 'On it', { adminId: scalekit.intercom.adminFor(identifier).id });
    scalekit.intercom.teamReplies(other, 'Automatic answer', { bot: true });
    await pass(env);
    expect(dmsTo(env, user)).toHaveLength(1);

    // A restart carries on from what was stored: the old reply is not sent again, a new one is.
    await t.restart();
    scalekit.intercom.customerReplies(other, 'Any news?');
    await pass(env);
    expect(dmsTo(env, user)).toHaveLength(2);
    expect(JSON.stringify(dmsTo(env, user)[1]?.params.blocks)).toContain('Any news?');
    await pass(env);
    expect(dmsTo(env, user)).toHaveLength(2);

    // App Home lists the open assigned conversations, the longest waiting first.
    const listed = await toggleQueue(env, user, true);
    expect(listed.indexOf(`conversation/${other}`)).toBeGreaterThan(-1);
    expect(listed).toContain('answered');
    expect(listed.indexOf(`conversation/${other}`)).toBeLessThan(listed.indexOf(`conversation/${mine}`));

    // Off stops it.
    const off = await toggleQueue(env, user, false);
    expect(off).toContain('queue_on');
    const polled = searches(env, identifier).length;
    scalekit.intercom.customerReplies(mine, 'Hello?');
    await pass(env);
    expect(searches(env, identifier)).toHaveLength(polled);
    expect(dmsTo(env, user)).toHaveLength(2);
  });

  it('pauses while the connection is broken and resumes once Scalekit says it is active again', async () => {
    const { t, scalekit } = env;
    const user = 'UQPAUSE';
    const { identifier, conversations } = teammateWithQueue(env, user, 1);
    await toggleQueue(env, user, true);
    await pass(env);
    await scalekit.breakConnection(identifier);
    await t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === `D${user}`);
    const polled = searches(env, identifier).length;
    await pass(env);
    expect(searches(env, identifier)).toHaveLength(polled);

    scalekit.connectAccount(identifier);
    await scalekit.sendWebhook('connected_account.status_updated', identifier, { oldStatus: 'EXPIRED' });
    await t.waitForLog((r) => r.msg === 'A teammate’s Intercom connection is active again' && r.userId === user);
    scalekit.intercom.customerReplies(conversations[0] as string, 'Back?');
    await pass(env);
    expect(searches(env, identifier)).toHaveLength(polled + 1);
    expect(dmsTo(env, user).filter((c) => JSON.stringify(c.params.blocks).includes('Back?'))).toHaveLength(1);
  });
});

describe('the nudge (QUEUE_NUDGE_AFTER_MINUTES)', () => {
  let env: Env;
  beforeAll(async () => {
    env = await startWatchBot(60, { QUEUE_NUDGE_AFTER_MINUTES: '30' });
  });
  afterAll(async () => {
    await env.stop();
  });

  it('reminds once per conversation and waiting period', async () => {
    const { scalekit } = env;
    const user = 'UNUDGE';
    const { conversations, admin } = teammateWithQueue(env, user, 1);
    const id = conversations[0] as string;
    scalekit.intercom.teamReplies(id, 'How can I help?', { adminId: admin.id });
    scalekit.intercom.customerReplies(id, 'Hello?');
    await toggleQueue(env, user, true);
    const nudges = () => dmsTo(env, user).filter((c) => String(c.params.text).startsWith('Waiting on you'));

    await pass(env); // 17 minutes: not yet
    expect(nudges()).toHaveLength(0);
    await pass(env); // 34 minutes
    expect(nudges()).toHaveLength(1);
    expect(String(nudges()[0]?.params.text)).toContain('34 min');
    await pass(env);
    await pass(env);
    expect(nudges()).toHaveLength(1);

    // Answered, then the customer writes again: a new wait, a new reminder once it is long enough.
    scalekit.intercom.teamReplies(id, 'Looking', { adminId: admin.id });
    await pass(env, 60_000);
    scalekit.intercom.customerReplies(id, 'Still there?');
    await pass(env, 60_000);
    expect(nudges()).toHaveLength(1);
    await pass(env, 40 * 60_000);
    expect(nudges()).toHaveLength(2);
  });
});
