import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIntent } from '../../src/demo/model/intents.ts';
import { createScriptedModel, SCRIPTED_SIGNATURE } from '../../src/demo/model/scripted-model.ts';
import type { SlackMessage } from '../../src/standins/slack/emulator.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

describe('what the scripted model understands', () => {
  it.each([
    ['find john@acme.com', { kind: 'lookup', email: 'john@acme.com' }],
    ['who is jane@x.com?', { kind: 'lookup', email: 'jane@x.com' }],
    ["reply to john@acme.com's conversation: Done!", { kind: 'reply', email: 'john@acme.com', body: 'Done!' }],
    ['summarize the last conversation with john@acme.com', { kind: 'summarize', email: 'john@acme.com' }],
    ['catch me up on conversation 215470005', { kind: 'summarize', conversationId: '215470005' }],
    [
      'reply to john@acme.com: We fixed the login bug.',
      { kind: 'reply', email: 'john@acme.com', body: 'We fixed the login bug.' },
    ],
    [
      'draft a reply to john@acme.com saying "Try again now"',
      { kind: 'reply', email: 'john@acme.com', body: 'Try again now' },
    ],
    ['reply to john@acme.com', { kind: 'reply', email: 'john@acme.com' }],
    [
      'add a note to priya@initech.example: Prefers email.',
      { kind: 'note', email: 'priya@initech.example', body: 'Prefers email.' },
    ],
    ['tag jane@x.com as vip', { kind: 'tag', email: 'jane@x.com', tag: 'vip' }],
    ['what can you do?', { kind: 'help' }],
    [
      'Assign 215470001 to me and snooze it till Monday',
      { kind: 'act', conversationId: '215470001', acts: [{ kind: 'assign_me' }, { kind: 'snooze', until: 'monday' }] },
    ],
    ['close conversation 215470003', { kind: 'act', conversationId: '215470003', acts: [{ kind: 'close' }] }],
    [
      'mark conversation 215470003 as priority',
      { kind: 'act', conversationId: '215470003', acts: [{ kind: 'priority' }] },
    ],
    [
      'turn conversation 215470001 into a bug ticket',
      { kind: 'ticket', conversationId: '215470001', ticketType: 'bug' },
    ],
    ['find our article on refunds', { kind: 'articles', phrase: 'refunds' }],
  ])('%s', (text, intent) => {
    expect(readIntent(text)).toEqual(intent);
  });

  it('reads "it" and "this" as the conversation the thread named last', () => {
    const earlier = ['summarize conversation 215470005', 'find john@acme.com'];
    expect(readIntent('tag it billing', earlier)).toEqual({ kind: 'tag', conversationId: '215470005', tag: 'billing' });
    expect(readIntent('turn this into a ticket', earlier)).toEqual({ kind: 'ticket', conversationId: '215470005' });
    expect(readIntent('thanks!', earlier)).toEqual({ kind: 'help' });
  });
});

describe('the scripted model, driving the real bot (Mastra, the real tools, approvals)', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot();
    t.model.respond(createScriptedModel());
    t.connectUser('USCRIPT');
  });
  afterAll(() => t.stop());

  /** The thread's first message matching, once the bot has finished it (streamed or posted and updated). */
  const messageIn = (ts: string, match: (m: SlackMessage) => boolean) =>
    new Promise<SlackMessage>((resolve, reject) => {
      const find = () => t.slack.messagesIn('CSUP', ts).find((m) => !m.streaming && match(m));
      const timer = setTimeout(() => reject(new Error('no such message in the thread')), 10_000);
      const check = () => {
        const found = find();
        if (!found) return;
        clearTimeout(timer);
        stop();
        resolve(found);
      };
      const stop = t.slack.onChange(check);
      check();
    });
  const ask = async (text: string) => {
    const ts = t.slack.nextTs();
    t.slack.seedMessage({ channel: 'CSUP', ts, user: 'USCRIPT', text: `<@UBOT> ${text}` });
    await t.sendEvent({ type: 'app_mention', user: 'USCRIPT', text: `<@UBOT> ${text}`, ts, channel: 'CSUP' });
    return ts;
  };
  const signed = (m: SlackMessage) => (m.text ?? '').includes('Scripted demo model');
  const tools = (from: number) =>
    t.scalekit
      .callsOf('ExecuteTool')
      .slice(from)
      .map((c) => c.request.toolName);

  it('looks a customer up and lists their conversations, saying it is the scripted model', async () => {
    const before = t.scalekit.callsOf('ExecuteTool').length;
    const answer = await messageIn(await ask('find john@acme.com'), signed);
    expect(answer.text).toContain('John Smith');
    expect(answer.text).toContain('215470001');
    expect(SCRIPTED_SIGNATURE).toContain('OPENAI_API_KEY');
    expect(tools(before)).toEqual(['intercom_search_contacts', 'intercom_search_conversations']);
  });

  it('summarizes the latest open conversation from what Intercom returned', async () => {
    const answer = await messageIn(await ask('summarize the conversation with john@acme.com'), signed);
    expect(answer.text).toContain('Still broken, same error.');
    expect(answer.text).toContain('Alice Moreau');
  });

  it('drafts a reply that waits for approval, and says so', async () => {
    const ts = await ask('reply to john@acme.com: We fixed the login bug, please try again.');
    const card = await messageIn(ts, (m) => JSON.stringify(m.blocks ?? '').includes('approval_send'));
    expect(JSON.stringify(card.blocks)).toContain('We fixed the login bug, please try again.');
    const answer = await messageIn(ts, signed);
    expect(answer.text).toContain('waits for your approval');
    const parts = t.scalekit.intercom.findConversation('215470001')?.conversation_parts.conversation_parts ?? [];
    expect(parts.map((p) => p.body)).not.toContain('<p>We fixed the login bug, please try again.</p>');
  });

  it('proposes notes and tags, and explains what it cannot do', async () => {
    const note = await ask('add a note to priya@initech.example: Prefers email.');
    expect(JSON.stringify((await messageIn(note, (m) => Array.isArray(m.blocks))).blocks)).toContain('Prefers email.');
    const tag = await ask('tag jane@x.com as vip');
    // The preview names the tag (81003 is vip), not its id.
    expect(JSON.stringify((await messageIn(tag, (m) => Array.isArray(m.blocks))).blocks)).toContain(
      'Tag the conversation “vip”',
    );
    const missing = await messageIn(await ask('tag jane@x.com as shiny'), signed);
    expect(missing.text).toContain('There is no tag "shiny"');
    const help = await messageIn(await ask('hello there'), signed);
    expect(help.text).toContain('find john@acme.com');
    const nobody = await messageIn(await ask('find nobody@nowhere.example'), signed);
    expect(nobody.text).toContain("couldn't find anyone");
  });

  it('proposes assign-to-me and a snooze as two approval cards, and finds help-center articles', async () => {
    const ts = await ask('assign 215470003 to me and snooze it till Monday');
    const answer = await messageIn(ts, signed);
    expect(answer.text).toContain('assigning it to you, then snoozing it (next monday 9:00)');
    const cards = t.slack
      .messagesIn('CSUP', ts)
      .filter((m) => JSON.stringify(m.blocks ?? '').includes('approval_send'));
    expect(cards).toHaveLength(2);
    const refunds = await messageIn(await ask('find our article on refunds'), signed);
    expect(refunds.text).toContain('How refunds work');
    expect(refunds.text).toContain('https://help.example.com/articles/7001-how-refunds-work');
    const ticket = await ask('turn conversation 215470003 into a bug ticket');
    const card = await messageIn(ticket, (m) => JSON.stringify(m.blocks ?? '').includes('approval_send'));
    expect(card).toBeDefined();
  });
});
