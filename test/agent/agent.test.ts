import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lastUserText, type ModelReply, type ModelRequest, toolResults } from '../../src/standins/model/emulator.ts';
import { createBrowser, openConnectLink } from '../helpers/browser.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

let t: TestBot;
const nextTs = () => t.slack.nextTs();

beforeAll(async () => {
  t = await startTestBot({ botOptions: { agent: { runTimeoutMs: 2000, maxSteps: 3 } } });
});
afterAll(async () => {
  await t.stop();
});
beforeEach(() => {
  t.model.reset();
});

const executions = () => t.scalekit.callsOf('ExecuteTool');
const mention = (user: string, text: string, ts: string, extra: Record<string, unknown> = {}) =>
  t.sendEvent({ type: 'app_mention', user, text: `<@UBOT> ${text}`, ts, channel: 'CSUP', ...extra });

/** The text of the bot's nth finished answer in this thread (streamed, as Slack streams it by default). */
async function answerIn(threadTs: string, channel = 'CSUP', nth = 1): Promise<string> {
  return String((await t.slack.waitForAnswer(channel, threadTs, nth)).text);
}

/** A model that looks john@acme.com up, then his conversations, then answers with what the tools returned. */
function summarizeJohn(req: ModelRequest): ModelReply {
  const results = toolResults(req) as Array<Record<string, unknown>>;
  if (results.length === 0) {
    return {
      toolCalls: [
        {
          name: 'intercom_search_contacts',
          args: { query: { field: 'email', operator: '=', value: 'john@acme.com' } },
        },
      ],
    };
  }
  if (results.length === 1) {
    const contact = (results[0]?.data as Array<{ id: string }> | undefined)?.[0];
    return {
      toolCalls: [
        {
          name: 'intercom_search_conversations',
          args: { query: { field: 'contact_ids', operator: '=', value: contact?.id } },
        },
      ],
    };
  }
  const conversations = (results[1]?.conversations as Array<{ id: string }>) ?? [];
  return { text: `**John** has ${conversations.length} conversations; latest is ${conversations[0]?.id}.` };
}

describe('the agent, for a connected teammate', () => {
  it('finds john@acme.com with the teammate’s own identifier and answers in the thread', async () => {
    const identifier = t.connectUser('UAGENT1');
    t.model.respond(summarizeJohn);
    const before = executions().length;
    const ts = nextTs();
    await mention('UAGENT1', 'summarize the last conversation with john@acme.com', ts);

    const answer = await answerIn(ts);
    expect(answer).toMatch(/^\*\*John\*\* has \d+ conversations; latest is \d+\.$/); // streamed as Markdown
    const calls = executions().slice(before);
    expect(calls.map((c) => c.request.toolName)).toEqual(['intercom_search_contacts', 'intercom_search_conversations']);
    for (const call of calls) expect(call.request.identifier).toBe(identifier);
    expect(t.model.requests[0]?.messages.at(-1)).toMatchObject({
      role: 'user',
      text: 'summarize the last conversation with john@acme.com',
    });
  });

  it('shows the model the allowed tools with their real JSON Schemas, and no destructive ones', async () => {
    t.connectUser('UAGENT2');
    const ts = nextTs();
    await mention('UAGENT2', 'what can you do?', ts);
    await answerIn(ts);
    const tools = t.model.requests[0]?.tools ?? [];
    type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; enum?: unknown[] };
    const byName = new Map(tools.map((tool) => [tool.name, tool.parameters as Schema]));
    const search = byName.get('intercom_search_contacts');
    expect(search?.type).toBe('object');
    expect(search?.properties?.query?.type).toBe('object');
    expect(search?.required).toContain('query');
    const reply = byName.get('intercom_reply_to_conversation');
    expect(reply?.properties?.message_type?.enum).toEqual(['comment', 'note']);
    expect(byName.get('intercom_identify_admin')).toMatchObject({ type: 'object', properties: {} });
    for (const name of byName.keys()) expect(name).not.toMatch(/delete|merge|redact/);
    expect(byName.has('intercom_list_activity_log_event_types')).toBe(false); // not a support tool
    expect(byName.size).toBeGreaterThan(15);
  });

  it('never lets two teammates talking at once see each other’s identifier', async () => {
    const idA = t.connectUser('UPAR_A');
    const idB = t.connectUser('UPAR_B');
    t.model.latencyMs = 20;
    t.model.respond((req) => {
      const results = toolResults(req) as Array<{ id?: string }>;
      const who = lastUserText(req).includes('alpha') ? 'alpha' : 'beta';
      if (results.length === 0) {
        // The model even tries to name the other person's identifier: it must not matter.
        return { toolCalls: [{ name: 'intercom_identify_admin', args: { identifier: who === 'alpha' ? idB : idA } }] };
      }
      return { text: `${who} is admin ${results[0]?.id}` };
    });
    const before = executions().length;
    const [tsA, tsB] = [nextTs(), nextTs()];
    await Promise.all([mention('UPAR_A', 'who am I, alpha', tsA), mention('UPAR_B', 'who am I, beta', tsB)]);
    const [answerA, answerB] = await Promise.all([answerIn(tsA), answerIn(tsB)]);

    expect(answerA).toBe(`alpha is admin ${t.scalekit.intercom.adminFor(idA).id}`);
    expect(answerB).toBe(`beta is admin ${t.scalekit.intercom.adminFor(idB).id}`);
    const calls = executions().slice(before);
    expect(calls.map((c) => c.request.identifier).sort()).toEqual([idA, idB].sort());
    t.model.latencyMs = 0;
  });

  it('carries the earlier turns of the thread into a follow-up', async () => {
    t.connectUser('UAGENT3');
    t.model.queue({ text: 'Jane Doe is jane@x.com, conversation 215470003.' }, { text: 'Drafted.' });
    const first = nextTs();
    t.slack.seedMessage({ channel: 'CSUP', ts: first, user: 'UAGENT3', text: '<@UBOT> find jane@x.com' });
    await mention('UAGENT3', 'find jane@x.com', first);
    await answerIn(first);

    const second = nextTs();
    t.slack.seedMessage({
      channel: 'CSUP',
      ts: second,
      thread_ts: first,
      user: 'UAGENT3',
      text: '<@UBOT> now reply to her',
    });
    await mention('UAGENT3', 'now reply to her', second, { thread_ts: first });
    await t.model.waitForRequests(2);
    const followUp = t.model.requests[1];
    expect(followUp?.messages.filter((m) => m.role !== 'system').map((m) => [m.role, m.text])).toEqual([
      ['user', 'find jane@x.com'],
      ['assistant', 'Jane Doe is jane@x.com, conversation 215470003.'],
      ['user', 'now reply to her'],
    ]);
  });

  it('works the same in a DM', async () => {
    const identifier = t.connectUser('UAGENT4');
    t.model.respond(summarizeJohn);
    const before = executions().length;
    const ts = nextTs();
    await t.sendEvent({
      type: 'message',
      channel_type: 'im',
      channel: 'DAGENT4',
      user: 'UAGENT4',
      text: 'summarize john@acme.com',
      ts,
    });
    const answer = await answerIn(ts, 'DAGENT4');
    expect(answer).toContain('*John*');
    expect(
      executions()
        .slice(before)
        .every((c) => c.request.identifier === identifier),
    ).toBe(true);
  });

  it('makes no Scalekit calls for a warm message beyond its tool executions', async () => {
    t.connectUser('UWARM');
    const first = nextTs();
    await mention('UWARM', 'hello', first);
    await answerIn(first);
    const before = t.scalekit.calls.length;
    t.model.respond(summarizeJohn);
    const second = nextTs();
    await mention('UWARM', 'summarize john@acme.com', second);
    await answerIn(second);
    expect(t.scalekit.calls.slice(before).map((c) => c.rpc)).toEqual(['ExecuteTool', 'ExecuteTool']);
  });

  it('shows a plan at once, before the model has answered, and streams a long answer into one message', async () => {
    t.connectUser('ULONG');
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const paragraph = `${'word '.repeat(150).trim()}.`;
    t.model.respond(async () => {
      await gate;
      return { text: Array.from({ length: 10 }, () => paragraph).join('\n\n') };
    });
    const ts = nextTs();
    await mention('ULONG', 'tell me everything', ts);
    const started = await t.slack.waitForCall('chat.startStream', (c) => c.params.thread_ts === ts);
    // The model has not answered yet, and the asker already sees that the bot is on it (and only the asker, live).
    expect(started.params).toMatchObject({ recipient_user_id: 'ULONG', recipient_team_id: t.slack.teamId });
    expect(JSON.stringify(started.params.chunks)).toContain('Understanding your request');
    expect(t.slack.callsOf('chat.appendStream').filter((c) => c.params.ts === started.response?.ts)).toEqual([]);
    release();
    const answer = await t.slack.waitForAnswer('CSUP', ts);
    expect(answer.ts).toBe(started.response?.ts);
    expect(answer.text).toBe(Array.from({ length: 10 }, () => paragraph).join('\n\n'));
    expect(t.slack.messagesIn('CSUP', ts).filter((m) => m.user === t.slack.botUserId)).toHaveLength(1);
  });
});

describe('the agent when something goes wrong', () => {
  it('asks to reconnect (and parks the request) when Intercom rejects the token', async () => {
    const identifier = t.connectUser('UREVOKE');
    const warm = nextTs();
    await mention('UREVOKE', 'hello', warm);
    await answerIn(warm);

    t.scalekit.revokeIntercomToken(identifier);
    t.model.respond(summarizeJohn);
    const ts = nextTs();
    await mention('UREVOKE', 'summarize john@acme.com', ts);
    const answer = await answerIn(ts);
    expect(answer).toContain('expired or was revoked');
    const dm = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.channel === 'DUREVOKE' && Array.isArray(c.params.blocks),
    );
    expect(String(dm.params.text)).toContain('expired');

    // Reconnecting runs the parked request again, now successfully.
    const link = (dm.params.blocks as Array<{ type: string; elements?: Array<{ url?: string }> }>).find(
      (b) => b.type === 'actions',
    )?.elements?.[0]?.url as string;
    const page = await openConnectLink(createBrowser(), link);
    expect(page.body).toContain('Intercom is connected');
    expect(await answerIn(ts, 'CSUP', 2)).toMatch(/^\*\*John\*\*/);
  });

  it('names the action Intercom refused for lack of permission', async () => {
    t.connectUser('UFORBID');
    t.scalekit.failNextTool({
      toolName: 'intercom_search_contacts',
      kind: 'forbidden',
      message: 'Admin lacks permission',
    });
    t.model.queue(
      {
        toolCalls: [
          { name: 'intercom_search_contacts', args: { query: { field: 'email', operator: '=', value: 'a@b.c' } } },
        ],
      },
      { text: 'I could not search.' },
    );
    const ts = nextTs();
    await mention('UFORBID', 'find a@b.c', ts);
    const answer = await answerIn(ts);
    expect(answer).toContain('I could not search.');
    expect(answer).toContain('Intercom refused `intercom_search_contacts`');
    expect(toolResults(t.model.requests[1] as ModelRequest)[0]).toMatchObject({
      error: expect.stringContaining('permissions'),
    });
  });

  it('backs off and retries when Intercom rate-limits, and says so when it persists', async () => {
    t.connectUser('URATE');
    t.scalekit.failNextTool({ toolName: 'intercom_list_tags', kind: 'rate_limited' });
    t.model.queue({ toolCalls: [{ name: 'intercom_list_tags', args: {} }] }, { text: 'Tags listed.' });
    const before = executions().length;
    const ts = nextTs();
    await mention('URATE', 'list tags', ts);
    expect(await answerIn(ts)).toBe('Tags listed.');
    expect(
      executions()
        .slice(before)
        .map((c) => c.error ?? 'ok'),
    ).toEqual(['ResourceExhausted', 'ok']);

    for (let i = 0; i < 3; i++) t.scalekit.failNextTool({ toolName: 'intercom_list_tags', kind: 'rate_limited' });
    t.model.queue({ toolCalls: [{ name: 'intercom_list_tags', args: {} }] }, { text: 'No tags for now.' });
    const again = nextTs();
    await mention('URATE', 'list tags again', again);
    expect(await answerIn(again)).toContain('rate-limiting');
  });

  it('apologises with a retry hint when the model fails or is too slow, and works again next time', async () => {
    t.connectUser('UMODEL');
    t.model.queue({ error: { status: 500, message: 'upstream exploded' } });
    const ts = nextTs();
    await mention('UMODEL', 'hello', ts);
    const failed = await answerIn(ts);
    expect(failed).toContain("couldn't get an answer from the AI model");
    expect(failed).not.toContain('exploded');

    t.model.queue({ hang: true });
    const slow = nextTs();
    await mention('UMODEL', 'hello again', slow);
    expect(await answerIn(slow)).toContain('took too long');

    const ok = nextTs();
    await mention('UMODEL', 'third time', ok);
    expect(await answerIn(ok)).toBe('ok');
  });

  it('summarises what it did when it hits the step cap', async () => {
    t.connectUser('UCAP');
    t.model.respond(() => ({ toolCalls: [{ name: 'intercom_list_tags', args: {} }] }));
    const ts = nextTs();
    await mention('UCAP', 'loop forever', ts);
    const answer = await answerIn(ts);
    expect(answer).toContain('I stopped after 3 steps without finishing.');
    expect(answer).toContain('• List tags');
  });

  it('tells the user when Scalekit cannot be reached for the tool list', async () => {
    t.connectUser('UDOWN');
    const { Code } = await import('@connectrpc/connect');
    t.scalekit.failNext('ListScopedTools', Code.Internal);
    const ts = nextTs();
    await mention('UDOWN', 'hello', ts);
    expect(await answerIn(ts)).toContain('Scalekit');
  });
});
