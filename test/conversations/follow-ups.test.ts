import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lastUserText } from '../../src/standins/model/emulator.ts';
import { blockActions } from '../../src/standins/slack/signed-requests.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

let t: TestBot;
beforeAll(async () => {
  t = await startTestBot();
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
  t.model.respond((req) => ({ text: `answer to ${lastUserText(req)}` }));
});

const CHANNEL = 'CFOLLOW';
/** What a person writes in a channel, as Slack delivers it: message.channels (plus app_mention if it mentions us). */
const channelMessage = (user: string, text: string, ts: string, threadTs?: string) => ({
  type: 'message',
  channel: CHANNEL,
  channel_type: 'channel',
  user,
  text,
  ts,
  ...(threadTs && { thread_ts: threadTs }),
});
const appMention = (user: string, text: string, ts: string, threadTs?: string) => ({
  type: 'app_mention',
  channel: CHANNEL,
  user,
  text: `<@UBOT> ${text}`,
  ts,
  ...(threadTs && { thread_ts: threadTs }),
});
/** Slack keeps what people wrote, so thread history can read it back. */
const said = (user: string, text: string, ts: string, threadTs?: string) =>
  t.slack.seedMessage({ channel: CHANNEL, ts, user, text, ...(threadTs && { thread_ts: threadTs }) });
/** Sends a person's channel message and waits until the bot has decided it is not for it. */
async function chatter(bot: TestBot, user: string, text: string, threadTs?: string): Promise<void> {
  const ts = bot.slack.nextTs();
  await bot.sendEvent(channelMessage(user, text, ts, threadTs));
  await bot.waitForLog((r) => r.msg === 'Ignored a channel message not meant for the bot' && r.ts === ts);
}
const answersAsked = () => t.model.requests.map((r) => lastUserText(r));

describe('thread follow-ups', () => {
  it('answers a follow-up without a mention, with the first question in the model’s context', async () => {
    t.connectUser('UFOLLOW');
    const root = t.slack.nextTs();
    said('UFOLLOW', '<@UBOT> find jane@example.com', root);
    await t.sendEvent(appMention('UFOLLOW', 'find jane@example.com', root));
    await t.slack.waitForAnswer(CHANNEL, root);

    const followUp = t.slack.nextTs();
    said('UFOLLOW', 'and what did she ask last week?', followUp, root);
    await t.sendEvent(channelMessage('UFOLLOW', 'and what did she ask last week?', followUp, root));
    const answer = await t.slack.waitForAnswer(CHANNEL, root, 2);
    expect(answer.text).toBe('answer to and what did she ask last week?');
    const context = t.model.requests.at(-1)?.messages.map((m) => m.text) ?? [];
    expect(context).toContain('find jane@example.com');
    expect(context).toContain('answer to find jane@example.com');
  });

  it('reads follow-ups and the thread as people wrote them: lines kept, entities decoded once, people named', async () => {
    t.connectUser('UPARA');
    t.slack.setUser({ id: 'UCAROL', name: 'Carol Diaz' });
    const root = t.slack.nextTs();
    said('UPARA', '<@UBOT> find jane@example.com', root);
    await t.sendEvent(appMention('UPARA', 'find jane@example.com', root));
    await t.slack.waitForAnswer(CHANNEL, root);

    said('UCAROL', 'Billing &amp; refunds:\n\nask <@UPARA> &lt;first&gt;', t.slack.nextTs(), root);
    const followUp = t.slack.nextTs();
    const typed = 'Draft this:\n\nHi Jane &amp; co,\n  we fixed it &lt;today&gt;.\n\nBest';
    said('UPARA', typed, followUp, root);
    await t.sendEvent(channelMessage('UPARA', typed, followUp, root));
    await t.slack.waitForAnswer(CHANNEL, root, 2);
    const context = t.model.requests.at(-1)?.messages.map((m) => m.text) ?? [];
    expect(context.at(-1)).toBe('Draft this:\n\nHi Jane & co,\n  we fixed it <today>.\n\nBest');
    expect(context).toContain('Carol Diaz wrote: Billing & refunds:\n\nask @UPARA <first>');
  });

  it('ignores other people’s chatter in the thread unless they mention it, and answers each as themselves', async () => {
    const alice = t.connectUser('UALICE');
    const bob = t.connectUser('UBOB');
    const root = t.slack.nextTs();
    said('UALICE', '<@UBOT> look up john@acme.com', root);
    await t.sendEvent(appMention('UALICE', 'look up john@acme.com', root));
    await t.slack.waitForAnswer(CHANNEL, root);

    await chatter(t, 'UBOB', 'lol nice', root);
    expect(answersAsked()).toEqual(['look up john@acme.com']);

    const bobAsks = t.slack.nextTs();
    await t.sendEvent(appMention('UBOB', 'and his tickets?', bobAsks, root));
    await t.slack.waitForAnswer(CHANNEL, root, 2);
    // Bob asked something now, so his next plain message is for the bot too, and runs as Bob.
    await t.sendEvent(channelMessage('UBOB', 'thanks, and the latest one?', t.slack.nextTs(), root));
    await t.slack.waitForAnswer(CHANNEL, root, 3);
    expect(answersAsked()).toEqual(['look up john@acme.com', 'and his tickets?', 'thanks, and the latest one?']);
    const identifiers = t.scalekit.callsOf('ListScopedTools').map((c) => c.request.identifier);
    expect(identifiers).toEqual(expect.arrayContaining([alice, bob]));
  });

  it('never answers plain channel chatter outside a followed thread', async () => {
    t.connectUser('UCHAT');
    await chatter(t, 'UCHAT', 'good morning all');
    await chatter(t, 'UCHAT', 'a reply in some thread', t.slack.nextTs());
    expect(t.model.requests).toEqual([]);
  });

  it.each([
    ['app_mention first', ['app_mention', 'message']],
    ['message first', ['message', 'app_mention']],
  ])('runs a mention in a followed thread once, whichever event comes first (%s)', async (_name, order) => {
    t.connectUser('UTWICE');
    const root = t.slack.nextTs();
    await t.sendEvent(appMention('UTWICE', 'start', root));
    await t.slack.waitForAnswer(CHANNEL, root);
    const ts = t.slack.nextTs();
    for (const kind of order) {
      await t.sendEvent(
        kind === 'app_mention'
          ? appMention('UTWICE', 'again please', ts, root)
          : channelMessage('UTWICE', '<@UBOT> again please', ts, root),
      );
    }
    await t.waitForLog((r) => r.msg === 'Ignored a redelivered message' && r.ts === ts);
    await t.slack.waitForAnswer(CHANNEL, root, 2);
    expect(answersAsked().filter((q) => q === 'again please')).toHaveLength(1);
  });

  it('stops following when asked in words or with the button, and a mention brings it back', async () => {
    t.connectUser('USTOPF');
    const root = t.slack.nextTs();
    await t.sendEvent(appMention('USTOPF', 'first', root));
    const answer = await t.slack.waitForAnswer(CHANNEL, root);
    expect(JSON.stringify(answer.blocks)).toContain('thread_unfollow');

    await t.sendEvent(channelMessage('USTOPF', 'stop following', t.slack.nextTs(), root));
    await t.slack.waitForCall('chat.postMessage', (c) => String(c.params.text).includes('stopped following'));
    await chatter(t, 'USTOPF', 'still there?', root);
    expect(answersAsked()).toEqual(['first']);

    await t.sendEvent(appMention('USTOPF', 'back again', t.slack.nextTs(), root));
    await t.slack.waitForAnswer(CHANNEL, root, 2);
    await t.sendInteraction(
      blockActions({
        teamId: t.slack.teamId,
        user: 'USTOPF',
        channel: CHANNEL,
        message: { ts: answer.ts, thread_ts: root },
        action: { type: 'button', action_id: 'thread_unfollow' },
      }),
    );
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === 'USTOPF' && String(c.params.text).includes('stopped following'),
    );
    await chatter(t, 'USTOPF', 'hello?', root);
    expect(answersAsked()).toEqual(['first', 'back again']);
  });

  it('lets only the people who asked in the thread press Stop following; anyone else is told so, kindly', async () => {
    t.connectUser('UASKER');
    const root = t.slack.nextTs();
    await t.sendEvent(appMention('UASKER', 'first', root));
    const answer = await t.slack.waitForAnswer(CHANNEL, root);
    const press = (user: string) =>
      t.sendInteraction(
        blockActions({
          teamId: t.slack.teamId,
          user,
          channel: CHANNEL,
          message: { ts: answer.ts, thread_ts: root },
          action: { type: 'button', action_id: 'thread_unfollow' },
        }),
      );

    await press('UBYSTANDER');
    const refused = await t.slack.waitForCall('chat.postEphemeral', (c) => c.params.user === 'UBYSTANDER');
    expect(refused.params).toMatchObject({ channel: CHANNEL, thread_ts: root });
    expect(String(refused.params.text)).toContain('Only the people who asked me something in this thread');
    // Still following: the requester's next message needs no mention.
    await t.sendEvent(channelMessage('UASKER', 'second', t.slack.nextTs(), root));
    await t.slack.waitForAnswer(CHANNEL, root, 2);

    await press('UASKER');
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === 'UASKER' && String(c.params.text).includes('stopped following'),
    );
    await chatter(t, 'UASKER', 'third', root);
    expect(answersAsked()).toEqual(['first', 'second']);
  });

  it('stops following a thread after 24 hours without a message to it', async () => {
    let now = Date.now();
    const clocked = await startTestBot({ now: () => now });
    try {
      clocked.connectUser('UIDLE');
      clocked.model.respond(() => ({ text: 'ok' }));
      const root = clocked.slack.nextTs();
      await clocked.sendEvent({ ...appMention('UIDLE', 'hi', root) });
      await clocked.slack.waitForAnswer(CHANNEL, root);
      now += 24 * 60 * 60 * 1000 + 1;
      await chatter(clocked, 'UIDLE', 'a day later', root);
      expect(clocked.model.requests).toHaveLength(1);
    } finally {
      await clocked.stop();
    }
  });
});

describe('DM continuity', () => {
  const dm = (user: string, text: string, ts: string) => ({
    type: 'message',
    channel: `D${user}`,
    channel_type: 'im',
    user,
    text,
    ts,
  });

  it('continues the recent DM conversation, until the teammate starts over', async () => {
    t.connectUser('UDM');
    const first = t.slack.nextTs();
    await t.sendEvent(dm('UDM', 'who is jane@example.com?', first));
    const firstAnswer = await t.slack.waitForAnswer('DUDM', first);
    expect(JSON.stringify(firstAnswer.blocks)).toContain('start over');

    const second = t.slack.nextTs();
    await t.sendEvent(dm('UDM', 'and what did she ask us last week?', second));
    await t.slack.waitForAnswer('DUDM', second);
    expect(
      t.model.requests
        .at(-1)
        ?.messages.slice(1)
        .map((m) => [m.role, m.text]),
    ).toEqual([
      ['user', 'who is jane@example.com?'],
      ['assistant', 'answer to who is jane@example.com?'],
      ['user', 'and what did she ask us last week?'],
    ]);

    const reset = t.slack.nextTs();
    await t.sendEvent(dm('UDM', 'start over', reset));
    await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === reset && String(c.params.text).includes('Starting fresh'),
    );
    const third = t.slack.nextTs();
    await t.sendEvent(dm('UDM', 'find john@acme.com', third));
    await t.slack.waitForAnswer('DUDM', third);
    expect(
      t.model.requests
        .at(-1)
        ?.messages.slice(1)
        .map((m) => m.text),
    ).toEqual(['find john@acme.com']);
    expect(answersAsked()).not.toContain('start over');
  });

  it('keeps a DM thread reply to its own thread, as before', async () => {
    t.connectUser('UDMT');
    const root = t.slack.nextTs();
    t.slack.seedMessage({ channel: 'DUDMT', ts: root, user: 'UDMT', text: 'thread question' });
    await t.sendEvent(dm('UDMT', 'thread question', root));
    await t.slack.waitForAnswer('DUDMT', root);
    const reply = t.slack.nextTs();
    await t.sendEvent({ ...dm('UDMT', 'more on that', reply), thread_ts: root });
    await t.slack.waitForAnswer('DUDMT', root, 2);
    expect(
      t.model.requests
        .at(-1)
        ?.messages.slice(1)
        .map((m) => m.text),
    ).toEqual(['thread question', 'answer to thread question', 'more on that']);
  });
});
