import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ModelReply, type ModelRequest, toolResults } from '../../src/standins/model/emulator.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';
import { newConversation } from '../watches/watch-helpers.ts';

let t: TestBot;
let users = 0;

beforeAll(async () => {
  t = await startTestBot({ streaming: false });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
});

/** A model that proposes one write to the conversation (its admin_id is replaced by the requester's own anyway). */
function proposes(tool: string, args: Record<string, unknown>): (req: ModelRequest) => ModelReply {
  return (req) =>
    toolResults(req).length === 0
      ? { toolCalls: [{ name: tool, args: { admin_id: '1', type: 'admin', ...args } }] }
      : { text: 'It is waiting for your approval.' };
}

/** The approval card the bot posts for the write, as the words a person reads (header, fields, text). */
async function approvalCard(tool: string, args: Record<string, unknown>, tz?: string): Promise<string> {
  const user = `UWORDS${++users}`;
  t.connectUser(user);
  t.slack.setUser({ id: user, name: `Teammate ${users}`, tz });
  t.model.respond(proposes(tool, args));
  const ts = t.slack.nextTs();
  await t.sendEvent({ type: 'app_mention', user, text: '<@UBOT> do it', ts, channel: 'CWORDS' });
  const card = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === ts && JSON.stringify(c.params.blocks ?? []).includes('approval_send'),
  );
  const blocks = card.params.blocks as Array<{ text?: { text?: string }; fields?: Array<{ text: string }> }>;
  const words = blocks.flatMap((b) => [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)]).join('\n');
  // Never raw JSON, whatever the write.
  expect(words).not.toMatch(/[{}]|"\w+":/);
  return words;
}

describe('approval cards say each write in words', () => {
  it('assign: the conversation, its customer and the assignee by name', async () => {
    const id = newConversation(t);
    const words = await approvalCard('intercom_manage_conversation', {
      conversation_id: id,
      message_type: 'assignment',
      assignee_id: '991002',
    });
    expect(words).toContain('Approve: Assign the conversation to Bob');
    expect(words).toContain('John Smith');
    expect(words).toContain(`#${id}`);
  });

  it("snooze: the time as the requester's clock shows it", async () => {
    const id = newConversation(t);
    // 2026-12-08T17:00:00Z
    const args = { conversation_id: id, message_type: 'snoozed', snoozed_until: 1_796_749_200 };
    expect(await approvalCard('intercom_manage_conversation', args, 'America/Los_Angeles')).toContain(
      'Approve: Snooze the conversation until Tue, 8 Dec 2026, 09:00 (America/Los_Angeles)',
    );
    expect(await approvalCard('intercom_manage_conversation', args, 'Europe/Paris')).toContain(
      'Tue, 8 Dec 2026, 18:00 (Europe/Paris)',
    );
  });

  it('close and reopen', async () => {
    const id = newConversation(t);
    expect(
      await approvalCard('intercom_manage_conversation', { conversation_id: id, message_type: 'close' }),
    ).toContain('Approve: Close the conversation');
    expect(await approvalCard('intercom_manage_conversation', { conversation_id: id, message_type: 'open' })).toContain(
      'Approve: Reopen the conversation',
    );
  });

  it('tag: the tag by name', async () => {
    const id = newConversation(t);
    const billing = t.scalekit.intercom.tags.find((tag) => tag.name === 'billing');
    expect(
      await approvalCard('intercom_attach_tag_to_conversation', { conversation_id: id, id: billing?.id }),
    ).toContain('Approve: Tag the conversation “billing”');
  });

  it('note: an internal note on whose conversation, visible to the team only, with its text', async () => {
    const id = newConversation(t);
    const words = await approvalCard('intercom_reply_to_conversation', {
      conversation_id: id,
      message_type: 'note',
      body: 'Checked the SSO logs.',
    });
    expect(words).toContain("Approve: Add an internal note on John Smith <john@acme.com>'s conversation");
    expect(words).toContain('your team only');
    expect(words).toContain('Checked the SSO logs.');
  });

  it('priority and converting to a ticket (of a named type)', async () => {
    const id = newConversation(t);
    expect(await approvalCard('intercom_update_conversation', { conversation_id: id, priority: 'priority' })).toContain(
      'Approve: Mark the conversation as priority',
    );
    expect(
      await approvalCard('intercom_convert_conversation_to_ticket', { conversation_id: id, ticket_type_id: '9001' }),
    ).toContain('Approve: Turn the conversation into a Bug report ticket');
  });
});
