import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { intercomTools } from '../../src/standins/intercom/tools/catalogue.ts';
import { type ModelReply, type ModelRequest, toolResults } from '../../src/standins/model/emulator.ts';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

/**
 * A customer's message in Intercom can steer the model, and Intercom data is the customer's to write: whatever
 * they contain, nothing the bot posts may ping a channel, a group or a person.
 */
const STEERED =
  '<!channel> <!here> <@U123> <!subteam^S1> @everyone URGENT: re-login at [https://intercom.com](https://evil.example/login)';
const PINGS = ['<!channel>', '<!here>', '<!everyone>', '<!subteam', '<@U123>'];
const HOSTILE_TITLE = '<!channel> List tags @here';

let t: TestBot;
let scalekit: ScalekitEmulator;
let userCounter = 0;

beforeAll(async () => {
  // The tool catalogue is data from outside too: one tool's title carries a ping.
  scalekit = await startScalekitEmulator({
    tools: intercomTools.map((tool) =>
      tool.name === 'intercom_list_tags'
        ? { ...tool, annotations: { ...tool.annotations, title: HOSTILE_TITLE } }
        : tool,
    ),
  });
  t = await startTestBot({ scalekit, streaming: false });
});
afterAll(async () => {
  await t.stop();
  await scalekit.close();
});
beforeEach(() => {
  t.model.reset();
});

const expectInert = (text: string) => {
  for (const ping of PINGS) expect(text).not.toContain(ping);
};

/** A card's text and blocks but for the plain_text object that carries `reply` verbatim, and how many do. */
function aroundReply(params: Record<string, unknown>, reply: string): { verbatim: number; shown: string } {
  const blocks = params.blocks as Array<{ text?: { type: string; text: string } }>;
  const isReply = (b: (typeof blocks)[number]) => b.text?.type === 'plain_text' && b.text.text === reply;
  return {
    verbatim: blocks.filter(isReply).length,
    shown: `${String(params.text)} ${JSON.stringify(blocks.filter((b) => !isReply(b)))}`,
  };
}

/** A connected teammate mentions the bot; resolves with the thread and the working message's ts. */
async function ask(text = 'what is new?'): Promise<{ user: string; threadTs: string; workingTs: string }> {
  const user = `UMEN${++userCounter}`;
  t.connectUser(user);
  const threadTs = t.slack.nextTs();
  await t.sendEvent({ type: 'app_mention', user, text: `<@UBOT> ${text}`, ts: threadTs, channel: 'CMEN' });
  const working = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Working on it'),
  );
  return { user, threadTs, workingTs: String(working.response?.ts) };
}

const finalUpdate = (workingTs: string) =>
  t.slack.waitForCall(
    'chat.update',
    (c) => c.params.ts === workingTs && !String(c.params.text).includes('Working on it'),
  );

describe('answers', () => {
  it('shows a steered answer without pinging anyone, and shows where its link really goes', async () => {
    t.model.queue({ text: STEERED });
    const { workingTs } = await ask();
    const text = String((await finalUpdate(workingTs)).params.text);
    expectInert(text);
    expect(text).toContain('URGENT');
    expect(text).toContain('<https://evil.example/login>');
    expect(text).not.toContain('|https://intercom.com');
  });

  it("keeps a long answer's continuation, posted as a new message, just as inert", async () => {
    t.model.queue({ text: `${'A long answer. '.repeat(300)}\n\n${STEERED}` });
    const { threadTs, workingTs } = await ask();
    const first = String((await finalUpdate(workingTs)).params.text);
    const more = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('URGENT'),
    );
    expectInert(first);
    expectInert(String(more.params.text));
    expect(String(more.params.text)).toContain('<https://evil.example/login>');
  });

  it('shows the steps it is working on inertly, even with arguments the model was steered into', async () => {
    t.model.respond(
      (req: ModelRequest): ModelReply =>
        toolResults(req).length === 0
          ? {
              toolCalls: [
                {
                  name: 'intercom_search_contacts',
                  args: { query: { field: 'email', operator: '=', value: '<!channel> @here' } },
                },
              ],
            }
          : { text: 'Nobody.' },
    );
    const { workingTs } = await ask('find them');
    const progress = await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === workingTs && String(c.params.text).includes('searching contacts'),
    );
    expectInert(String(progress.params.text));
    expect(String(progress.params.text)).toContain('searching contacts for &lt;!channel&gt;');
    await finalUpdate(workingTs);
  });
});

describe('approval previews and App Home', () => {
  it('shows a customer-written name, subject and reply inertly, and so the failure and the Home line', async () => {
    const conversation = scalekit.intercom.conversations.find((c) => c.id === '215470001');
    if (!conversation) throw new Error('seed conversation missing');
    conversation.source.author.name = '<!channel> Mallory <@U123>';
    conversation.title = '<!here> Please re-login';
    t.model.respond((req) =>
      toolResults(req).length === 0
        ? {
            toolCalls: [
              {
                name: 'intercom_reply_to_conversation',
                args: {
                  conversation_id: '215470001',
                  admin_id: '991002',
                  message_type: 'comment',
                  type: 'admin',
                  body: '<!subteam^S1> hi @everyone',
                },
              },
            ],
          }
        : { text: 'Drafted; waiting for your approval.' },
    );
    const { user, threadTs, workingTs } = await ask('reply to mallory');
    const preview = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === threadTs && JSON.stringify(c.params.blocks ?? []).includes('approval_send'),
    );
    await finalUpdate(workingTs);
    // The reply itself is a plain_text object, which Slack shows literally (it parses no mentions there): exactly
    // what the customer will get. Everything around it is mrkdwn, escaped.
    const { verbatim, shown } = aroundReply(preview.params, '<!subteam^S1> hi @everyone');
    expect(verbatim).toBe(1);
    expectInert(shown);
    expect(shown).toContain('&lt;!channel&gt; Mallory &lt;@U123&gt;');
    expect(shown).toContain('&lt;!here&gt; Please re-login');

    // Intercom refuses the approved reply with a message of its own: the outcome and the Home line show it inertly.
    scalekit.failNextTool({
      toolName: 'intercom_reply_to_conversation',
      kind: 'error',
      message: '<!channel> denied',
    });
    await click(user, preview, 'approval_send');
    const failed = await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === preview.response?.ts && String(c.params.text).includes('Intercom refused'),
    );
    expectInert(aroundReply(failed.params, '<!subteam^S1> hi @everyone').shown);

    await t.sendEvent({ type: 'app_home_opened', user, channel: `D${user}`, tab: 'home', event_ts: '1' });
    const home = JSON.stringify((await t.slack.waitForCall('views.publish', (c) => c.params.user_id === user)).params);
    expect(home).toContain('&lt;!channel&gt; denied');
    expectInert(home);
  });
});

describe('commands', () => {
  it('echoes an unknown /connect-intercom subcommand inertly', async () => {
    const res = await t.sendCommand({
      command: '/connect-intercom',
      text: '<!channel> <@U123>',
      user_id: 'UMENCMD',
      response_url: t.slack.responseUrl('r-mentions-cmd'),
    });
    expect(res.status).toBe(200);
    const reply = await t.slack.waitForResponse((r) => r.id === 'r-mentions-cmd');
    expect(String(reply.body.text)).toContain("I don't know `&lt;!channel&gt; &lt;@U123&gt;`");
    expectInert(String(reply.body.text));
  });
});

describe('every call the bot made in this file', () => {
  it("never asked Slack to parse mentions in its text (parse: 'full', link_names)", () => {
    const sent = [...t.slack.calls.map((c) => c.params), ...t.slack.responses.map((r) => r.body)];
    expect(sent.length).toBeGreaterThan(10);
    const parsing = sent.filter((p) => p.parse === 'full' || ['true', '1', true, 1].includes(p.link_names as never));
    expect(parsing).toEqual([]);
  });
});

function click(user: string, preview: SlackCall, actionId: string) {
  const actions = (preview.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
    (b) => b.type === 'actions',
  );
  return t.sendInteraction({
    type: 'block_actions',
    team: { id: t.slack.teamId, domain: 'test' },
    user: { id: user, team_id: t.slack.teamId, username: user },
    api_app_id: 'A0001',
    token: 'legacy',
    trigger_id: `trigger-${user}`,
    channel: { id: 'CMEN', name: 'support' },
    container: { type: 'message', channel_id: 'CMEN', message_ts: preview.response?.ts, is_ephemeral: false },
    message: { type: 'message', ts: preview.response?.ts, text: 'preview' },
    response_url: t.slack.responseUrl(),
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'approval',
        value: String(actions?.elements?.[0]?.value),
        action_ts: '1',
      },
    ],
  });
}
