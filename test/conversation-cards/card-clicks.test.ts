import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { intercomHtmlToText, toIntercomHtml } from '../../src/shared/intercom-html.ts';
import { toolResults } from '../../src/standins/model/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { blockActions, viewSubmission } from '../../src/standins/slack/signed-requests.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';
import { newConversation } from '../watches/watch-helpers.ts';

// Monday 7 December 2026, 22:30 UTC: 14:30 in Los Angeles (Monday), 07:30 on Tuesday in Tokyo. The clock moves on
// from there at the real pace, so the bot's caches and Slack's signatures behave as usual.
const START = Date.UTC(2026, 11, 7, 22, 30);
const realStart = Date.now();
const now = () => START + (Date.now() - realStart);

let t: TestBot;
let users = 0;

beforeAll(async () => {
  t = await startTestBot({ now, streaming: false });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
});

type Block = { type: string; block_id?: string; text?: { text?: string }; elements?: Array<Record<string, unknown>> };

interface Card {
  call: SlackCall;
  ts: string;
  threadTs: string;
  blocks: Block[];
  conversationId: string;
}

const cardText = (blocks: unknown) => JSON.stringify(blocks ?? []);

/** A connected teammate (their Slack time zone given) and the Intercom admin their connection acts as. */
function teammate(tz?: string): { user: string; identifier: string; adminId: string } {
  const user = `UCARD${++users}`;
  const identifier = t.connectUser(user);
  t.slack.setUser({ id: user, name: `Teammate ${users}`, tz });
  return { user, identifier, adminId: t.scalekit.intercom.adminFor(identifier).id };
}

/** Asks about one conversation; the answer is followed by its card in the thread. */
async function showCard(user: string, conversationId = newConversation(t)): Promise<Card> {
  t.model.respond((req) =>
    toolResults(req).length === 0
      ? { toolCalls: [{ name: 'intercom_retrieve_conversation', args: { conversation_id: conversationId } }] }
      : { text: 'John still cannot log in.' },
  );
  const threadTs = t.slack.nextTs();
  await t.sendEvent({
    type: 'app_mention',
    user,
    text: `<@UBOT> what is going on in ${conversationId}?`,
    ts: threadTs,
    channel: 'CCARD',
  });
  const call = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === threadTs && cardText(c.params.blocks).includes(`convcard:${conversationId}:`),
  );
  return { call, ts: String(call.response?.ts), threadTs, blocks: call.params.blocks as Block[], conversationId };
}

function click(
  card: Card,
  user: string,
  actionId: string,
  options: { option?: string; triggerId?: string } = {},
): Promise<Response> {
  const block_id = `convcard:${card.conversationId}:actions`;
  const action = options.option
    ? {
        type: actionId === 'conv_more' ? 'overflow' : 'static_select',
        action_id: actionId,
        block_id,
        selected_option: { value: `${options.option}:${card.conversationId}` },
      }
    : { type: 'button', action_id: actionId, block_id, value: card.conversationId };
  return t.sendInteraction(
    blockActions({
      teamId: t.slack.teamId,
      user,
      channel: 'CCARD',
      message: { ts: card.ts, thread_ts: card.threadTs, text: 'card', blocks: card.blocks },
      action,
      triggerId: options.triggerId ?? `trigger-${user}-${actionId}`,
    }),
  );
}

/** The teammate submits a card's modal (its private metadata as the bot set it) with these inputs. */
const submit = (user: string, privateMetadata: string, values: Parameters<typeof viewSubmission>[0]['values']) =>
  t.sendInteraction(
    viewSubmission({ teamId: t.slack.teamId, user, callbackId: 'conv_card_view', privateMetadata, values }),
  );

const writes = (tool: string, conversationId: string) =>
  t.scalekit
    .callsOf('ExecuteTool')
    .filter(
      (c) =>
        c.request.toolName === tool &&
        (c.request.params as Record<string, unknown>)?.conversation_id === conversationId,
    );

/** The card's message after an action, as everyone in the channel now sees it. */
const updated = (card: Card, includes: string) =>
  t.slack.waitForCall('chat.update', (c) => c.params.ts === card.ts && cardText(c.params.blocks).includes(includes));

const ephemeral = (user: string, includes: string) =>
  t.slack.waitForCall('chat.postEphemeral', (c) => c.params.user === user && String(c.params.text).includes(includes));

describe('a conversation card', () => {
  it('shows customer, subject, state, assignee and waiting time, with its controls', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    const text = cardText(card.blocks);
    expect(text).toContain("Can't log in after resetting my password");
    expect(text).toContain('John Smith');
    expect(text).toContain('john@acme.com');
    expect(text).toContain('Open');
    expect(text).toContain('Unassigned');
    expect(text).toMatch(/Waiting \d+ days/);
    expect(text).toContain(`https://app.intercom.com/a/inbox/emu1a2b3/inbox/conversation/${card.conversationId}`);
    for (const id of [
      'conv_reply',
      'conv_note',
      'conv_assign_me',
      'conv_snooze',
      'conv_close',
      'conv_tag',
      'conv_more',
    ]) {
      expect(text).toContain(id);
    }
  });

  it('acts as whoever clicks: two teammates on one card each assign it to themselves, with their own admin ids', async () => {
    const alice = teammate();
    const bob = teammate();
    const card = await showCard(alice.user);

    await click(card, alice.user, 'conv_assign_me');
    const first = await updated(card, `by <@${alice.user}>`);
    expect(cardText(first.params.blocks)).toContain(`Assigned to Teammate ${alice.identifier}`);
    await click(card, bob.user, 'conv_assign_me');
    const second = await updated(card, `by <@${bob.user}>`);
    expect(cardText(second.params.blocks)).toContain(`Assigned to Teammate ${bob.identifier}`);

    const calls = writes('intercom_manage_conversation', card.conversationId);
    expect(calls.map((c) => [c.request.identifier, c.request.params])).toEqual([
      [
        alice.identifier,
        expect.objectContaining({ admin_id: alice.adminId, assignee_id: alice.adminId, message_type: 'assignment' }),
      ],
      [
        bob.identifier,
        expect.objectContaining({ admin_id: bob.adminId, assignee_id: bob.adminId, message_type: 'assignment' }),
      ],
    ]);
    expect(t.scalekit.intercom.findConversation(card.conversationId)?.admin_assignee_id).toBe(bob.adminId);
  });

  it('runs a double click once', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    await Promise.all([click(card, alice.user, 'conv_close'), click(card, alice.user, 'conv_close')]);
    const after = await updated(card, `Closed by <@${alice.user}>`);
    await t.waitForLogs((line) => line.includes('Card click already taken'), 1);
    expect(writes('intercom_manage_conversation', card.conversationId)).toHaveLength(1);
    // Closed now: the card offers Reopen instead of Close.
    expect(cardText(after.params.blocks)).toContain('conv_open');
    expect(cardText(after.params.blocks)).not.toContain('conv_close');
  });

  it('audits every click with the clicker', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    await click(card, alice.user, 'conv_close');
    await updated(card, `Closed by <@${alice.user}>`);
    const rows = t.rows(
      "SELECT user_id, identifier, outcome FROM audit_log WHERE tool_name = 'intercom_manage_conversation' AND user_id = ?",
      [alice.user],
    );
    expect(rows).toEqual([{ user_id: alice.user, identifier: alice.identifier, outcome: 'ok' }]);
  });

  it('gives a teammate without Intercom a connect link, and runs nothing', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    const stranger = `UCARDX${++users}`;
    await click(card, stranger, 'conv_close');
    const prompt = await ephemeral(stranger, 'Connect here');
    expect(String(prompt.params.text)).toContain('/connect/');
    expect(writes('intercom_manage_conversation', card.conversationId)).toHaveLength(0);
  });

  it('says so when the conversation is gone or not visible, and does nothing else', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    const workspace = t.scalekit.intercom;
    workspace.conversations.splice(
      workspace.conversations.findIndex((c) => c.id === card.conversationId),
      1,
    );
    await click(card, alice.user, 'conv_close');
    await ephemeral(
      alice.user,
      `Conversation ${card.conversationId} no longer exists, or your Intercom account cannot see it`,
    );
    expect(writes('intercom_manage_conversation', card.conversationId)).toHaveLength(0);
  });

  it('tells the clicker in words when Intercom refuses (403)', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    t.scalekit.failNextTool({ toolName: 'intercom_manage_conversation', kind: 'forbidden' });
    await click(card, alice.user, 'conv_close');
    await ephemeral(
      alice.user,
      'Intercom did not let your account close it: it lacks the permission. Nothing was changed.',
    );
    expect(t.scalekit.intercom.findConversation(card.conversationId)?.state).toBe('open');
  });

  it('acts on the current state of a stale card and shows it', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    Object.assign(t.scalekit.intercom.findConversation(card.conversationId) ?? {}, { state: 'closed', open: false });
    await click(card, alice.user, 'conv_close');
    const after = await updated(card, 'It is already closed');
    expect(cardText(after.params.blocks)).toContain('conv_open');
    await ephemeral(alice.user, 'It is already closed; nothing to do.');
    expect(writes('intercom_manage_conversation', card.conversationId)).toHaveLength(0);
  });

  it("snoozes until times in the clicker's own time zone", async () => {
    const la = teammate('America/Los_Angeles');
    const tokyo = teammate('Asia/Tokyo');
    const snooze = async (who: { user: string }, option: string) => {
      const card = await showCard(who.user);
      await click(card, who.user, 'conv_snooze', { option });
      await updated(card, `by <@${who.user}>`);
      const [call] = writes('intercom_manage_conversation', card.conversationId);
      return Number((call?.request.params as { snoozed_until?: number } | undefined)?.snoozed_until) * 1000;
    };
    // Monday 14:30 in Los Angeles: tomorrow 9:00 PST is Tuesday 17:00 UTC; next Monday is a week on.
    expect(new Date(await snooze(la, 'tomorrow')).toISOString()).toBe('2026-12-08T17:00:00.000Z');
    expect(new Date(await snooze(la, 'monday')).toISOString()).toBe('2026-12-14T17:00:00.000Z');
    // Already Tuesday 07:30 in Tokyo: tomorrow 9:00 JST is Wednesday 00:00 UTC.
    expect(new Date(await snooze(tokyo, 'tomorrow')).toISOString()).toBe('2026-12-09T00:00:00.000Z');
    const before = now();
    const hour = await snooze(tokyo, 'hour');
    expect(hour).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000 - 1000);
    expect(hour).toBeLessThanOrEqual(now() + 3600_000);
  });

  it("opens Reply… with the customer's last message, and sends exactly what was typed", async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    await click(card, alice.user, 'conv_reply', { triggerId: 'trigger-reply-1' });
    const opened = await t.slack.waitForCall('views.open', (c) => c.params.trigger_id === 'trigger-reply-1');
    const view = opened.params.view as { private_metadata: string; blocks: Block[] };
    expect(view.blocks[0]?.text?.text).toBe('*John Smith wrote:*\n> Still broken, same error.');
    expect(cardText(view.blocks)).toContain('"multiline":true');

    const typed = 'Hi John,\n\nplease try  again — <b>now</b> & tell me @here :)';
    await submit(alice.user, view.private_metadata, { conv_text: { text: typed } });
    await updated(card, `Replied by <@${alice.user}>`);
    const [reply] = writes('intercom_reply_to_conversation', card.conversationId);
    expect(reply?.request.identifier).toBe(alice.identifier);
    expect(reply?.request.params).toEqual(
      expect.objectContaining({ admin_id: alice.adminId, message_type: 'comment', body: toIntercomHtml(typed) }),
    );
    // In Intercom the customer reads exactly what was typed.
    const part = t.scalekit.intercom
      .findConversation(card.conversationId)
      ?.conversation_parts.conversation_parts.at(-1);
    expect(intercomHtmlToText(String(part?.body))).toBe(typed);
  });

  it('adds a note, a tag and priority as the clicker', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    await click(card, alice.user, 'conv_note', { triggerId: 'trigger-note-1' });
    const noteModal = await t.slack.waitForCall('views.open', (c) => c.params.trigger_id === 'trigger-note-1');
    const note = 'Customer on the Pro plan.\nCheck the SSO logs first.';
    await submit(alice.user, (noteModal.params.view as { private_metadata: string }).private_metadata, {
      conv_text: { text: note },
    });
    await updated(card, `Note added by <@${alice.user}>`);
    expect(writes('intercom_reply_to_conversation', card.conversationId)[0]?.request.params).toEqual(
      expect.objectContaining({
        admin_id: alice.adminId,
        message_type: 'note',
        type: 'admin',
        body: toIntercomHtml(note),
      }),
    );

    await click(card, alice.user, 'conv_more', { option: 'priority' });
    await updated(card, `Marked as priority by <@${alice.user}>`);
    expect(t.scalekit.intercom.findConversation(card.conversationId)?.priority).toBe('priority');

    await click(card, alice.user, 'conv_tag', { triggerId: 'trigger-tag-1' });
    const opened = await t.slack.waitForCall('views.open', (c) => c.params.trigger_id === 'trigger-tag-1');
    const view = opened.params.view as { private_metadata: string };
    const tag = t.scalekit.intercom.tags.find((x) => x.name === 'billing');
    await submit(alice.user, view.private_metadata, { conv_pick: { choice: { selected: String(tag?.id) } } });
    await updated(card, `Tagged billing by <@${alice.user}>`);
    expect(writes('intercom_attach_tag_to_conversation', card.conversationId)[0]?.request.params).toEqual(
      expect.objectContaining({ admin_id: alice.adminId, id: tag?.id }),
    );
  });

  it('turns the conversation into a ticket of the type the clicker picks', async () => {
    const alice = teammate();
    const card = await showCard(alice.user);
    await click(card, alice.user, 'conv_more', { option: 'ticket', triggerId: 'trigger-ticket-1' });
    const opened = await t.slack.waitForCall('views.open', (c) => c.params.trigger_id === 'trigger-ticket-1');
    const view = opened.params.view as { private_metadata: string };
    expect(cardText(opened.params.view)).toContain('Bug report');
    await submit(alice.user, view.private_metadata, { conv_pick: { choice: { selected: String('9001') } } });
    await updated(card, `Turned into a Bug report ticket by <@${alice.user}>`);
    const [converted] = writes('intercom_convert_conversation_to_ticket', card.conversationId);
    expect(converted?.request.identifier).toBe(alice.identifier);
    expect(converted?.request.params).toEqual(expect.objectContaining({ ticket_type_id: '9001' }));
  });
});
