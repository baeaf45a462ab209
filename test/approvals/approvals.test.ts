import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { classifyTool } from '../../src/intercom/tool-policy.ts';
import type { ModelReply, ModelRequest } from '../../src/standins/model/emulator.ts';
import { toolResults } from '../../src/standins/model/emulator.ts';
import type { SlackCall } from '../../src/standins/slack/emulator.ts';
import { viewSubmission } from '../../src/standins/slack/signed-requests.ts';
import { MINIMAL_ENV } from '../helpers/config-env.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const clock = { offsetMs: 0 };
const now = () => Date.now() + clock.offsetMs;
let t: TestBot;
let userCounter = 0;

beforeAll(async () => {
  t = await startTestBot({ now, streaming: false });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  clock.offsetMs = 0;
  t.model.reset();
});

const CONVERSATION = '215470001';
const replyExecutions = () =>
  t.scalekit.callsOf('ExecuteTool').filter((c) => c.request.toolName === 'intercom_reply_to_conversation');

/** A model that drafts a reply to John's conversation, trying to reply as someone else and as the customer. */
function draftReply(body: string): (req: ModelRequest) => ModelReply {
  return (req) =>
    toolResults(req).length === 0
      ? {
          toolCalls: [
            {
              name: 'intercom_reply_to_conversation',
              args: { conversation_id: CONVERSATION, admin_id: '991002', message_type: 'comment', type: 'user', body },
            },
          ],
        }
      : { text: 'I drafted the reply; it is waiting for your approval.' };
}

interface Proposal {
  actionId: string;
  preview: SlackCall;
  user: string;
  identifier: string;
  threadTs: string;
}

/** A connected teammate asks for a reply; resolves with the preview the bot posted. */
async function propose(body = 'Hi John, we fixed the login bug. Please try again!'): Promise<Proposal> {
  const user = `UAPP${++userCounter}`;
  const identifier = t.connectUser(user);
  t.model.respond(draftReply(body));
  const threadTs = t.slack.nextTs();
  await t.sendEvent({
    type: 'app_mention',
    user,
    text: '<@UBOT> reply to john@acme.com',
    ts: threadTs,
    channel: 'CAPP',
  });
  const preview = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === threadTs && JSON.stringify(c.params.blocks ?? []).includes('approval_send'),
  );
  // The run is over once the working message in this thread shows the model's final text.
  const working = await t.slack.waitForCall(
    'chat.postMessage',
    (c) => c.params.thread_ts === threadTs && String(c.params.text).includes('Working on it'),
  );
  await t.slack.waitForCall(
    'chat.update',
    (c) => c.params.ts === working.response?.ts && String(c.params.text).includes('waiting for your approval'),
  );
  const actions = (preview.params.blocks as Array<{ type: string; elements?: Array<{ value?: string }> }>).find(
    (b) => b.type === 'actions',
  );
  return { actionId: String(actions?.elements?.[0]?.value), preview, user, identifier, threadTs };
}

function click(p: Proposal, action: 'send' | 'edit' | 'cancel', user = p.user) {
  return t.sendInteraction({
    type: 'block_actions',
    team: { id: t.slack.teamId, domain: 'test' },
    user: { id: user, team_id: t.slack.teamId, username: user },
    api_app_id: 'A0001',
    token: 'legacy',
    trigger_id: `trigger-${user}`,
    channel: { id: 'CAPP', name: 'support' },
    container: { type: 'message', channel_id: 'CAPP', message_ts: p.preview.response?.ts, is_ephemeral: false },
    message: { type: 'message', ts: p.preview.response?.ts, text: 'preview' },
    response_url: t.slack.responseUrl(),
    actions: [
      { type: 'button', action_id: `approval_${action}`, block_id: 'approval', value: p.actionId, action_ts: '1' },
    ],
  });
}

function submitEdit(p: Proposal, text: string, user = p.user) {
  return t.sendInteraction(
    viewSubmission({
      teamId: t.slack.teamId,
      user,
      callbackId: 'approval_edit_view',
      privateMetadata: p.actionId,
      values: { approval_text: { text } },
    }),
  );
}

/** The preview message's latest content, as the emulator holds it. */
const previewNow = (p: Proposal) =>
  JSON.stringify(t.slack.messagesIn('CAPP', p.threadTs).find((m) => m.ts === p.preview.response?.ts)?.blocks);

/**
 * Waits until the bot has sent `count` ephemeral notices matching `text` to `user`: a refused click is done with
 * once its notice is out, so what it did not do can be checked then.
 */
async function noticed(user: string, text: string, count = 1): Promise<void> {
  const match = (c: SlackCall) => c.params.user === user && String(c.params.text).includes(text);
  await t.slack.waitForCall(
    'chat.postEphemeral',
    () => t.slack.callsOf('chat.postEphemeral').filter(match).length >= count,
  );
}

describe('approving write actions', () => {
  it('previews a reply for humans and executes nothing until the requester clicks Send', async () => {
    const p = await propose();
    const blocks = JSON.stringify(p.preview.params.blocks);
    expect(blocks).toContain('Reply to John Smith');
    expect(blocks).toContain('john@acme.com');
    expect(blocks).toContain(`#${CONVERSATION}`);
    expect(blocks).toContain('The customer will see');
    expect(blocks).toContain('Hi John, we fixed the login bug. Please try again!');
    const admin = t.scalekit.intercom.adminFor(p.identifier);
    expect(blocks).toContain(admin.name);
    // propose() returned after the run's final answer: nothing is left that could execute the reply.
    expect(replyExecutions()).toEqual([]);
  });

  it('executes nothing when someone else clicks, and tells them who can', async () => {
    const p = await propose();
    await click(p, 'send', 'UINTRUDER');
    const notice = await t.slack.waitForCall('chat.postEphemeral', (c) => c.params.user === 'UINTRUDER');
    expect(notice.params.text).toBe(`Only <@${p.user}> can approve this.`);
    await click(p, 'cancel', 'UINTRUDER');
    await noticed('UINTRUDER', 'can approve this', 2);
    expect(replyExecutions()).toEqual([]);
    expect(previewNow(p)).toContain('approval_send');
  });

  it('sends exactly once, with the previewed arguments and the requester’s own admin id', async () => {
    const p = await propose();
    const before = replyExecutions().length;
    const partsBefore = t.scalekit.intercom.conversations.find((c) => c.id === CONVERSATION)?.conversation_parts
      .total_count;
    // A double click, and Slack delivering the same payload twice.
    await Promise.all([click(p, 'send'), click(p, 'send'), click(p, 'send')]);
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && String(c.params.text).includes('approved by'),
    );
    await noticed(p.user, 'already handled', 2);
    const sent = replyExecutions().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.request.identifier).toBe(p.identifier);
    expect(sent[0]?.request.params).toEqual({
      conversation_id: CONVERSATION,
      admin_id: t.scalekit.intercom.adminFor(p.identifier).id, // not the 991002 the model asked for
      message_type: 'comment',
      type: 'admin', // never as the customer
      // Intercom reads a body as HTML: the approved text goes in its faithful HTML form.
      body: '<p>Hi John, we fixed the login bug. Please try again!</p>',
    });
    const conversation = t.scalekit.intercom.conversations.find((c) => c.id === CONVERSATION);
    expect(conversation?.conversation_parts.total_count).toBe((partsBefore ?? 0) + 1);
    expect(previewNow(p)).toContain(`approved by <@${p.user}>`);
    expect(previewNow(p)).not.toContain('approval_send');
    const late = await click(p, 'send');
    expect(late.status).toBe(200);
    await noticed(p.user, 'already handled', 3);
    expect(replyExecutions().slice(before)).toHaveLength(1);
  });

  it('still sends after a restart, and only once', async () => {
    const p = await propose();
    await t.restart();
    const before = replyExecutions().length;
    await click(p, 'send');
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && String(c.params.text).includes('approved by'),
    );
    await t.restart();
    await click(p, 'send');
    await noticed(p.user, 'already handled');
    expect(replyExecutions().slice(before)).toHaveLength(1);
  });

  it('shows a text longer than Slack holds shortened, says Edit cannot hold it, and sends all of it', async () => {
    const long = `${'Step by step, '.repeat(228)}done.`;
    expect(long.length).toBeGreaterThan(3000);
    const p = await propose(long);
    const shown = (p.preview.params.blocks as Array<{ type: string; text?: { type: string; text: string } }>).find(
      (b) => b.type === 'section' && b.text?.type === 'plain_text',
    )?.text?.text;
    expect(shown?.length).toBeLessThanOrEqual(3000);
    expect(shown).toContain(`the whole text is ${long.length} characters`);
    await click(p, 'edit');
    await noticed(p.user, "more than Slack's edit box holds");
    expect(t.slack.callsOf('views.open').some((c) => JSON.stringify(c.params.view).includes(p.actionId))).toBe(false);
    const before = replyExecutions().length;
    await click(p, 'send');
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && String(c.params.text).includes('approved by'),
    );
    expect(
      replyExecutions()
        .slice(before)
        .map((c) => (c.request.params as { body: string }).body),
    ).toEqual([`<p>${long}</p>`]);
  });

  it('sends the edited text when the requester edits first', async () => {
    const p = await propose('Hi John, a draft.');
    await click(p, 'edit');
    const opened = await t.slack.waitForCall('views.open', (c) => JSON.stringify(c.params.view).includes(p.actionId));
    expect(JSON.stringify(opened.params.view)).toContain('Hi John, a draft.');
    const before = replyExecutions().length;
    expect((await submitEdit(p, 'Hi John, the final words.', 'USOMEONEELSE')).status).toBe(200);
    await noticed('USOMEONEELSE', 'can approve this');
    expect(replyExecutions().length).toBe(before);
    const res = await submitEdit(p, 'Hi John, the final words.');
    expect(res.status).toBe(200);
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && String(c.params.text).includes('approved by'),
    );
    const sent = replyExecutions().slice(before);
    expect(sent.map((c) => (c.request.params as { body?: string } | undefined)?.body)).toEqual([
      '<p>Hi John, the final words.</p>',
    ]);
    expect(previewNow(p)).toContain('Hi John, the final words.');
  });

  it('refuses an empty edit with a message in the modal', async () => {
    const p = await propose();
    const res = await submitEdit(p, '   ');
    expect(await res.json()).toMatchObject({ response_action: 'errors' });
  });

  it('executes nothing after Cancel', async () => {
    const p = await propose();
    await click(p, 'cancel');
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && String(c.params.text).includes('Cancelled'),
    );
    await click(p, 'send');
    await noticed(p.user, 'already handled (cancelled)');
    expect(replyExecutions().filter((c) => c.request.identifier === p.identifier)).toEqual([]);
  });

  it('executes nothing after the action expired, and says so', async () => {
    const p = await propose();
    clock.offsetMs = 25 * 60 * 60 * 1000;
    await click(p, 'send');
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === p.user && String(c.params.text).includes('expired'),
    );
    // The preview is marked expired before the notice is sent.
    expect(previewNow(p)).toContain('Expired without approval');
    expect(replyExecutions().filter((c) => c.request.identifier === p.identifier)).toEqual([]);
  });

  it('asks again instead of sending when the customer wrote since the preview', async () => {
    const p = await propose();
    const conversation = t.scalekit.intercom.conversations.find((c) => c.id === CONVERSATION);
    if (!conversation) throw new Error('seed conversation missing');
    const last = conversation.conversation_parts.conversation_parts.at(-1);
    if (!last) throw new Error('seed conversation has no parts');
    conversation.conversation_parts.conversation_parts.push({ ...last, id: `${last.id}9`, body: '<p>Any news?</p>' });
    conversation.conversation_parts.total_count += 1;

    await click(p, 'send');
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && JSON.stringify(c.params.blocks).includes('new message'),
    );
    expect(replyExecutions().filter((c) => c.request.identifier === p.identifier)).toEqual([]);
    expect(previewNow(p)).toContain('approval_send');

    await click(p, 'send');
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === p.preview.response?.ts && String(c.params.text).includes('approved by'),
    );
    expect(replyExecutions().filter((c) => c.request.identifier === p.identifier)).toHaveLength(1);
  });

  it('answers a click on an unknown action without executing anything', async () => {
    const p = await propose();
    const before = t.scalekit.callsOf('ExecuteTool').length;
    await click({ ...p, actionId: 'forged-action-id' }, 'send');
    await t.slack.waitForCall('chat.postEphemeral', (c) => String(c.params.text).includes('do not know this action'));
    expect(t.scalekit.callsOf('ExecuteTool').length).toBe(before);
  });
});

describe('tool policy', () => {
  const tool = (name: string, annotations: Record<string, unknown> = {}) => ({
    name,
    description: '',
    inputSchema: {},
    annotations,
  });

  it('runs reads directly, needs approval for writes, and never offers destructive tools', () => {
    expect(classifyTool(tool('intercom_search_contacts'))).toBe('read');
    expect(classifyTool(tool('intercom_reply_to_conversation'))).toBe('write');
    expect(classifyTool(tool('intercom_attach_tag_to_conversation', { read_only_hint: false }))).toBe('write');
    expect(classifyTool(tool('intercom_delete_contact'))).toBe('off');
    expect(classifyTool(tool('intercom_merge_contacts'))).toBe('off');
    expect(classifyTool(tool('intercom_redact_conversation'))).toBe('off');
    expect(classifyTool(tool('intercom_search_contacts', { destructive_hint: true }))).toBe('off');
    expect(classifyTool(tool('intercom_list_activity_log_event_types'))).toBe('off');
  });

  it('lets config override, except to turn a destructive tool on', () => {
    const result = parseConfig({
      ...MINIMAL_ENV,
      INTERCOM_TOOL_OVERRIDES:
        'intercom_create_contact=off, intercom_list_macros = write,intercom_delete_contact=write',
    });
    if (!result.ok) throw new Error(result.problems.join());
    const overrides = result.config.toolOverrides;
    expect(classifyTool(tool('intercom_create_contact'), overrides)).toBe('off');
    expect(classifyTool(tool('intercom_list_macros'), overrides)).toBe('write');
    expect(classifyTool(tool('intercom_delete_contact'), overrides)).toBe('off');
    const bad = parseConfig({ INTERCOM_TOOL_OVERRIDES: 'intercom_x=maybe' });
    expect(bad.ok ? [] : bad.problems).toContain(
      'INTERCOM_TOOL_OVERRIDES must look like tool_name=read|write|off, separated by commas',
    );
  });
});
