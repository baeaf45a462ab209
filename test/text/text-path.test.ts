import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intercomHtmlToText, toIntercomHtml } from '../../src/shared/intercom-html.ts';
import type { ModelRequest } from '../../src/standins/model/emulator.ts';
import { toolResults } from '../../src/standins/model/emulator.ts';
import { blockActions, viewSubmission } from '../../src/standins/slack/signed-requests.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

/**
 * The text path, end to end over Slack's protocol: a teammate types a reply with Markdown-looking characters,
 * entities, code fences, line breaks and mentions; Slack sends it escaped, with mentions as `<@U…>`. The model must
 * read what was typed, the approval card and the Edit modal must show it, and Intercom must get exactly that (in
 * its HTML form), with Slack's escaping applied once wherever the text is mrkdwn.
 */

const CONVERSATION = '215470001';
const ALICE = { id: 'U0ALICE', name: 'Alice Chen' };
let t: TestBot;

beforeAll(async () => {
  t = await startTestBot({ streaming: false });
  t.slack.setUser({ id: ALICE.id, name: ALICE.name });
});
afterAll(async () => {
  await t.stop();
});

/** A deterministic generator of what a teammate might type. */
function typedText(seed: number): string {
  let state = seed;
  const next = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * n);
  };
  const bits = [
    'Hi',
    'Jane',
    'refund',
    '&',
    '<',
    '>',
    '*',
    '_',
    '~',
    '`',
    '```',
    '\n',
    '\n\n',
    ' ',
    ' ',
    ' ',
    '&amp;',
    '&lt;b&gt;',
    'a<b',
    '<3',
    '->',
    '**bold**',
    '_it_',
    '~gone~',
    '`code`',
    '\n```\nx = a && b < c\n```\n',
    '\n- item',
    '#1',
    `@${ALICE.name}`,
    '<@U123>',
    '<!here>',
    ':)',
  ];
  const parts: string[] = [];
  const length = 5 + next(25);
  for (let i = 0; i < length; i++) parts.push(bits[next(bits.length)] as string);
  const text = parts.join('').trim();
  return text || 'Hi';
}

/** What a Slack client sends for it: `&`, `<` and `>` as entities, and a mention of Alice as her user id. */
function asSlackSends(typed: string): string {
  const escaped = typed.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  return escaped.replaceAll(`@${ALICE.name}`, `<@${ALICE.id}>`);
}

/** What a dictated reply gives to the model: its last user turn, and the request it makes of the reply tool. */
function dictation(seen: string[]) {
  return (req: ModelRequest) => {
    const asked = [...req.messages].reverse().find((m) => m.role === 'user')?.text ?? '';
    const body = asked.replace(/^reply to john with:\n/, '');
    if (toolResults(req).length > 0) return { text: `Drafted this reply, waiting for your approval:\n\n${body}` };
    seen.push(asked);
    return {
      toolCalls: [
        {
          name: 'intercom_reply_to_conversation',
          args: { conversation_id: CONVERSATION, admin_id: '1', message_type: 'comment', type: 'admin', body },
        },
      ],
    };
  };
}

const count = (text: string, part: string) => text.split(part).length - 1;
const decodeOnce = (text: string) =>
  text.replace(/&(amp|lt|gt);/g, (_w, n: string) => ({ amp: '&', lt: '<', gt: '>' })[n as 'amp']);

describe('what the teammate wrote is what the customer gets', () => {
  it('for random text: the model, the card and the modal see it as typed, and Intercom gets exactly that', async () => {
    for (let seed = 1; seed <= 24; seed++) {
      const typed = typedText(seed);
      const user = `UTEXT${seed}`;
      t.connectUser(user);
      const seen: string[] = [];
      t.model.reset();
      t.model.respond(dictation(seen));
      const threadTs = t.slack.nextTs();
      await t.sendEvent({
        type: 'app_mention',
        user,
        text: `<@${t.slack.botUserId}> reply to john with:\n${asSlackSends(typed)}`,
        ts: threadTs,
        channel: 'CTEXT',
      });
      const card = await t.slack.waitForCall(
        'chat.postMessage',
        (c) => c.params.thread_ts === threadTs && JSON.stringify(c.params.blocks ?? []).includes('approval_send'),
      );
      const where = `seed ${seed}: ${JSON.stringify(typed)}`;
      expect(seen, where).toEqual([`reply to john with:\n${typed}`]);

      // The card: the text verbatim as plain text; everything in mrkdwn is escaped exactly once.
      const blocks = card.params.blocks as Array<{ type: string; text?: { type: string; text: string } }>;
      expect(
        blocks.filter((b) => b.text?.type === 'plain_text' && b.text.text === typed),
        where,
      ).toHaveLength(1);
      for (const b of blocks) {
        if (b.text?.type !== 'mrkdwn') continue;
        expect(b.text.text, where).not.toMatch(/&amp;(?:amp|lt|gt);/);
      }

      // The modal: Edit shows the raw text, and sending it unchanged sends exactly that.
      const actionId = String(
        (blocks.find((b) => b.type === 'actions') as unknown as { elements: Array<{ value: string }> }).elements[0]
          ?.value,
      );
      await t.sendInteraction({
        ...blockActions({
          teamId: t.slack.teamId,
          user,
          channel: 'CTEXT',
          message: { ts: card.response?.ts as string, thread_ts: threadTs },
          action: { type: 'button', action_id: 'approval_edit', block_id: 'approval', value: actionId },
        }),
        trigger_id: `trigger-${actionId}`,
      });
      const opened = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.params.view).includes(actionId));
      const view = opened.params.view as { blocks: Array<{ element?: { initial_value?: string } }> };
      const shown = view.blocks[0]?.element?.initial_value;
      expect(shown, where).toBe(typed);
      const before = t.scalekit.callsOf('ExecuteTool').length;
      // Slack sends a plain_text_input's value back raw, as the person left it in the box.
      await t.sendInteraction(
        viewSubmission({
          teamId: t.slack.teamId,
          user,
          callbackId: 'approval_edit_view',
          privateMetadata: actionId,
          values: { approval_text: { text: shown as string } },
        }),
      );
      const done = await t.slack.waitForCall(
        'chat.update',
        (c) => c.params.ts === card.response?.ts && String(c.params.text).includes('approved by'),
      );
      const sent = t.scalekit
        .callsOf('ExecuteTool')
        .slice(before)
        .filter((c) => c.request.toolName === 'intercom_reply_to_conversation');
      const bodies = sent.map((c) => (c.request.params as { body: string }).body);
      expect(bodies, where).toEqual([toIntercomHtml(typed)]);
      expect(intercomHtmlToText(bodies[0] as string), where).toBe(typed);
      // The card after Send still shows the text verbatim.
      expect(JSON.stringify(done.params.blocks)).toContain(JSON.stringify(typed));

      // The answer, which quotes the text in mrkdwn: escaped exactly once (no raw `<`/`>`, and one decoding gives
      // back as many entity-looking words as the teammate typed).
      const answer = await t.slack.waitForAnswer('CTEXT', threadTs);
      const text = String(answer.text);
      expect(text, where).not.toMatch(/[<>]/);
      for (const entity of ['&amp;', '&lt;', '&gt;']) {
        expect(count(decodeOnce(text), entity), `${where}: ${entity} in ${text}`).toBe(count(typed, entity));
      }
    }
  }, 120_000);
});
