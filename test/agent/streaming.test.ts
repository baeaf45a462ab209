import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { safeCut } from '../../src/slack/stream-pieces.ts';
import { toolResults } from '../../src/standins/model/emulator.ts';
import type { SlackMessage } from '../../src/standins/slack/emulator.ts';
import { blockActions } from '../../src/standins/slack/signed-requests.ts';
import { JOHN_ANSWER, lookUpJohn } from '../helpers/model-replies.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

const CHANNEL = 'CSTREAM';
const mention = (bot: TestBot, user: string, text: string, ts: string) =>
  bot.sendEvent({ type: 'app_mention', user, text: `<@UBOT> ${text}`, ts, channel: CHANNEL });
const tasks = (message: SlackMessage) =>
  (message.chunks ?? []).filter((c) => c.type === 'task_update') as Array<{
    id: string;
    title: string;
    status: string;
    details?: string;
  }>;
const lastStatusOf = (message: SlackMessage, id: string) =>
  tasks(message)
    .filter((c) => c.id === id)
    .at(-1)?.status;

/** The approval a card's Send button carries. */
const actionOf = (blocks: unknown) =>
  ((blocks ?? []) as Array<{ type: string; elements?: Array<{ value?: string }> }>).find((b) => b.type === 'actions')
    ?.elements?.[0]?.value;
const clickSend = (
  bot: TestBot,
  user: string,
  message: { ts: string | undefined; thread_ts: string },
  actionId?: string,
) =>
  bot.sendInteraction(
    blockActions({
      teamId: bot.slack.teamId,
      user,
      channel: CHANNEL,
      message,
      action: { type: 'button', action_id: 'approval_send', block_id: 'approval', value: actionId },
    }),
  );

/** A model step that is held until the test opens it: the run is then visibly in progress. */
function held(): { wait: () => Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { wait: () => opened, open: () => open() };
}

describe('a streamed answer', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot();
  });
  afterAll(async () => {
    await t.stop();
  });
  afterEach(() => t.model.reset());

  it('shows a read step as a task card with a human title, then the text, then the footer', async () => {
    t.connectUser('USREAD');
    t.model.respond(lookUpJohn);
    const ts = t.slack.nextTs();
    await mention(t, 'USREAD', 'who is john@acme.com?', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);

    expect(answer.text).toBe(JOHN_ANSWER);
    const search = tasks(answer).find((c) => c.title === 'Searching contacts for john@acme.com');
    expect(search).toBeDefined();
    expect(
      tasks(answer)
        .filter((c) => c.id === search?.id)
        .map((c) => c.status),
    ).toEqual(['in_progress', 'complete']);
    expect(lastStatusOf(answer, 'understand')).toBe('complete');
    const start = t.slack.callsOf('chat.startStream').find((c) => c.params.thread_ts === ts);
    expect(start?.params).toMatchObject({ task_display_mode: 'plan', recipient_user_id: 'USREAD' });
    const footer = JSON.stringify(answer.blocks);
    expect(footer).toContain('AI-generated, acting as <@USREAD> in Intercom');
    expect(footer).toContain('"type":"feedback_buttons"');
    // A stream carries the whole answer: one message, no hard split.
    expect(t.slack.messagesIn(CHANNEL, ts).filter((m) => m.user === t.slack.botUserId)).toHaveLength(1);
  });

  it('shows a proposed write as waiting for approval, pointing at the approval card', async () => {
    t.connectUser('USWRITE');
    t.model.respond((req) =>
      toolResults(req).length === 0
        ? {
            toolCalls: [
              {
                name: 'intercom_reply_to_conversation',
                args: {
                  conversation_id: '215470001',
                  message_type: 'comment',
                  type: 'admin',
                  admin_id: '1',
                  body: 'Hi!',
                },
              },
            ],
          }
        : { text: 'The reply is waiting for your approval.' },
    );
    const ts = t.slack.nextTs();
    await mention(t, 'USWRITE', 'reply hi to conversation 215470001', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    const proposal = tasks(answer).find((c) => c.status === 'pending');
    // The conversation by its subject and #id, not a bare id.
    expect(proposal?.title).toMatch(/^Reply on “Can't log in.*” \(#215470001\): waiting for your approval$/);
    expect(proposal?.details).toContain('approval card');
    const card = t.slack.messagesIn(CHANNEL, ts).find((m) => JSON.stringify(m.blocks ?? '').includes('approval_send'));
    expect(card).toBeDefined();
    expect(t.scalekit.callsOf('ExecuteTool').some((c) => c.request.toolName === 'intercom_reply_to_conversation')).toBe(
      false,
    );
    const sessions = t.slack.callsOf('agents.sessions.setStatus').filter((c) => c.params.thread_ts === ts);
    expect(sessions.map((c) => c.params.status)).toEqual(['processing', 'suspended']);

    // After Send, the answer's plan says the reply was sent, no longer that it waits.
    const actionId = actionOf(card?.blocks);
    await clickSend(t, 'USWRITE', { ts: card?.ts, thread_ts: ts }, actionId);
    const updated = await t.slack.waitForCall('chat.update', (c) => c.params.ts === answer.ts);
    const plan = (updated.params.blocks as Array<{ type: string; tasks?: Array<Record<string, unknown>> }>).find(
      (b) => b.type === 'plan',
    );
    const step = plan?.tasks?.find((task) => task.task_id === proposal?.id);
    expect(step).toMatchObject({ status: 'complete' });
    expect(step?.title).toMatch(/^Reply on “Can't log in.*” \(#215470001\): sent$/);
    expect(JSON.stringify(plan)).not.toContain('waiting for your approval');
    // The rest of the answer is kept: its text and its footer.
    expect(JSON.stringify(updated.params.blocks)).toContain('The reply is waiting for your approval.');
    expect(JSON.stringify(updated.params.blocks)).toContain('answer_feedback');
  });

  it('shows Send clicked while the answer still streams in the finished plan, not "waiting"', async () => {
    t.connectUser('USEARLY');
    const gate = held();
    t.model.respond(async (req) => {
      if (toolResults(req).length > 0) {
        await gate.wait();
        return { text: 'Drafted; it waits for your approval.' };
      }
      return {
        toolCalls: [
          {
            name: 'intercom_reply_to_conversation',
            args: { conversation_id: '215470001', message_type: 'comment', type: 'admin', admin_id: '1', body: 'Hi!' },
          },
        ],
      };
    });
    const ts = t.slack.nextTs();
    await mention(t, 'USEARLY', 'reply hi to conversation 215470001', ts);
    const card = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === ts && JSON.stringify(c.params.blocks ?? '').includes('approval_send'),
    );
    const actionId = actionOf(card.params.blocks);
    await clickSend(t, 'USEARLY', { ts: String(card.response?.ts), thread_ts: ts }, actionId);
    // Sent, and the thread read back for the plan, while the model is still writing the answer.
    await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === card.response?.ts && String(c.params.text).includes('Done'),
    );
    const readsBefore = t.slack.callsOf('conversations.replies');
    await t.slack.waitForCall('conversations.replies', (c) => c.params.ts === ts && !readsBefore.includes(c));
    gate.open();
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    const updated = await t.slack.waitForCall(
      'chat.update',
      (c) => c.params.ts === answer.ts && JSON.stringify(c.params.blocks ?? '').includes(': sent'),
    );
    const plan = (updated.params.blocks as Array<{ type: string; tasks?: Array<Record<string, unknown>> }>).find(
      (b) => b.type === 'plan',
    );
    expect(plan?.tasks?.find((task) => task.task_id === `approval-${actionId}`)).toMatchObject({ status: 'complete' });
    expect(JSON.stringify(plan)).not.toContain('waiting for your approval');
    expect(JSON.stringify(updated.params.blocks)).toContain('Drafted; it waits for your approval.');
  });

  it('cites the help-center articles a search found: as sources on its task, and as links after the answer', async () => {
    t.connectUser('USARTICLE');
    t.model.respond((req) =>
      toolResults(req).length === 0
        ? { toolCalls: [{ name: 'intercom_search_articles', args: { phrase: 'refunds' } }] }
        : { text: 'Refunds take 5–10 business days.' },
    );
    const ts = t.slack.nextTs();
    await mention(t, 'USARTICLE', 'find our article on refunds', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    const search = (answer.chunks ?? []).find(
      (c) => c.type === 'task_update' && (c as { status?: string }).status === 'complete' && 'sources' in c,
    );
    expect((search as { sources?: unknown }).sources).toEqual([
      { type: 'url', url: 'https://help.example.com/articles/7001-how-refunds-work', text: 'How refunds work' },
    ]);
    expect(String(answer.text)).toContain(
      '_Help center:_ [How refunds work](https://help.example.com/articles/7001-how-refunds-work)',
    );
  });

  it('escapes what the model was steered into writing before streaming it', async () => {
    t.connectUser('USSAFE');
    t.model.respond(() => ({
      text: '<!channel> <@U999> re-login at [https://intercom.com/login](https://evil.example/x) @here',
    }));
    const ts = t.slack.nextTs();
    await mention(t, 'USSAFE', 'anything new?', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    // Everything streamed: the markdown_text chunks of every append and of the stop, as Slack put them together.
    const streamed = String(answer.text);
    expect(streamed).not.toMatch(/<!channel>|<@U999>|<!here>/);
    expect(streamed).toContain('https://evil.example/x');
    expect(streamed).not.toContain('[https://intercom.com/login]');
    expect(streamed).not.toMatch(/(^|\s)@here/);
  });

  it('stops cleanly when Slack’s Stop is pressed: the model call is aborted and the thread says so', async () => {
    t.connectUser('USSTOP');
    const gate = held();
    t.model.respond(async () => {
      await gate.wait();
      return { text: 'too late' };
    });
    const ts = t.slack.nextTs();
    await mention(t, 'USSTOP', 'take your time', ts);
    await t.model.waitForRequests(1);
    await t.sendEvent({
      type: 'agent_session_stopped',
      channel: CHANNEL,
      user: 'USSTOP',
      thread_ts: ts,
      streaming_message_ts: [],
      event_ts: ts,
    });
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    gate.open();
    expect(answer.text).toContain('Stopped. Nothing more was done');
    expect(answer.text).not.toContain('too late');
    const sessions = t.slack.callsOf('agents.sessions.setStatus').filter((c) => c.params.thread_ts === ts);
    expect(sessions.at(-1)?.params.status).toBe('closed');
  });

  it('continues an answer longer than one message carries below the stream, with the footer at the end', async () => {
    t.connectUser('USHUGE');
    const paragraph = `${'lorem '.repeat(400).trim()}.`;
    t.model.respond(() => ({ text: Array.from({ length: 16 }, () => paragraph).join('\n\n') }));
    const ts = t.slack.nextTs();
    await mention(t, 'USHUGE', 'everything, please', ts);
    const streamed = await t.slack.waitForAnswer(CHANNEL, ts);
    const last = await t.slack.waitForCall(
      'chat.postMessage',
      (c) => c.params.thread_ts === ts && JSON.stringify(c.params.blocks ?? '').includes('feedback_buttons'),
    );
    const continuations = t.slack
      .messagesIn(CHANNEL, ts)
      .filter((m) => m.user === t.slack.botUserId && m.ts !== streamed.ts);
    expect(continuations.length).toBeGreaterThan(0);
    expect(continuations.at(-1)?.ts).toBe(last.response?.ts);
    const shown = [streamed.text, ...continuations.map((m) => m.text)].join(' ').replace(/\s+/g, ' ');
    expect(shown.match(/lorem/g)).toHaveLength(16 * 400);
    expect(JSON.stringify(streamed.blocks ?? '')).not.toContain('feedback_buttons');
  });

  it('records feedback in the audit trail, and npm run audit exports it', async () => {
    t.connectUser('USFEED');
    t.model.respond(() => ({ text: 'Here you go.' }));
    const ts = t.slack.nextTs();
    await mention(t, 'USFEED', 'help', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    const response = await t.sendInteraction(
      blockActions({
        teamId: t.slack.teamId,
        user: 'USFEED',
        channel: CHANNEL,
        message: { ts: answer.ts, thread_ts: ts, text: answer.text },
        action: { type: 'feedback_buttons', action_id: 'answer_feedback', value: 'bad' },
      }),
    );
    expect(response.status).toBe(200);
    await t.slack.waitForCall(
      'chat.postEphemeral',
      (c) => c.params.user === 'USFEED' && String(c.params.text).includes('Thanks'),
    );
    const exported = execFileSync(
      process.execPath,
      [
        '--experimental-strip-types',
        '--disable-warning=ExperimentalWarning',
        resolve(import.meta.dirname, '../../src/audit/export.ts'),
        '--user',
        'USFEED',
      ],
      { env: { ...process.env, ...t.databaseEnv }, encoding: 'utf8' },
    );
    const rows = exported
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(rows.filter((r) => r.kind === 'feedback')).toEqual([
      expect.objectContaining({
        user_id: 'USFEED',
        outcome: 'negative',
        channel: CHANNEL,
        thread_ts: ts,
        action_id: answer.ts,
      }),
    ]);
  });

  it('offers suggested prompts on the Messages tab that fit whether the teammate is connected', async () => {
    t.connectUser('USPROMPT');
    await t.sendEvent({
      type: 'app_home_opened',
      user: 'USPROMPT',
      channel: 'DUSPROMPT',
      tab: 'messages',
      event_ts: t.slack.nextTs(),
    });
    const connected = await t.slack.waitForCall(
      'assistant.threads.setSuggestedPrompts',
      (c) => c.params.channel_id === 'DUSPROMPT',
    );
    expect(JSON.stringify(connected.params.prompts)).toContain('Summarize my latest open conversation');
    await t.sendEvent({
      type: 'app_home_opened',
      user: 'UNEWBIE',
      channel: 'DUNEWBIE',
      tab: 'messages',
      event_ts: t.slack.nextTs(),
    });
    const fresh = await t.slack.waitForCall(
      'assistant.threads.setSuggestedPrompts',
      (c) => c.params.channel_id === 'DUNEWBIE',
    );
    expect(JSON.stringify(fresh.params.prompts)).toContain('Connect my Intercom');
  });
});

describe('when Slack cannot stream, or stops a stream early', () => {
  let t: TestBot;
  afterEach(async () => {
    await t.stop();
  });

  it('answers exactly once by posting and editing when the stream cannot start, and learns not to try again', async () => {
    t = await startTestBot();
    t.connectUser('UOLD');
    t.slack.failNext('chat.startStream', { error: 'feature_not_enabled' });
    t.model.respond(() => ({ text: 'Answered the old way.' }));
    const first = t.slack.nextTs();
    await mention(t, 'UOLD', 'hello', first);
    const answer = await t.slack.waitForAnswer(CHANNEL, first);
    expect(answer.text).toBe('Answered the old way.');
    // Without a stream's plan, Slack's status line under the thread says the bot is on it.
    expect(t.slack.callsOf('assistant.threads.setStatus').map((c) => c.params.thread_ts)).toContain(first);
    expect(JSON.stringify(answer.blocks)).toContain('feedback_buttons');
    expect(t.slack.messagesIn(CHANNEL, first).filter((m) => m.user === t.slack.botUserId)).toHaveLength(1);
    const second = t.slack.nextTs();
    await mention(t, 'UOLD', 'again', second);
    await t.slack.waitForAnswer(CHANNEL, second);
    expect(t.slack.callsOf('chat.startStream')).toHaveLength(1);
  });

  it('finishes a stream Slack closed (about five minutes) with one chat.update of the whole answer', async () => {
    t = await startTestBot();
    t.connectUser('USLOW');
    const gate = held();
    t.model.respond(async () => {
      await gate.wait();
      return { text: `${'A long considered answer. '.repeat(20)}The end.` };
    });
    const ts = t.slack.nextTs();
    await mention(t, 'USLOW', 'think hard', ts);
    const started = await t.slack.waitForCall('chat.startStream', (c) => c.params.thread_ts === ts);
    t.slack.expireStream(CHANNEL, String(started.response?.ts));
    gate.open();
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    expect(answer.ts).toBe(started.response?.ts);
    expect(answer.text).toContain('The end.');
    expect(answer.text?.startsWith('A long considered answer.')).toBe(true);
    expect(t.slack.callsOf('chat.update').filter((c) => c.params.ts === answer.ts)).toHaveLength(1);
    expect(t.slack.messagesIn(CHANNEL, ts).filter((m) => m.user === t.slack.botUserId)).toHaveLength(1);
  });

  it('never leaves half an answer when an append fails for another reason', async () => {
    t = await startTestBot();
    t.connectUser('UHALF');
    t.slack.failNext('chat.appendStream', { error: 'internal_error' });
    t.model.respond(() => ({ text: `${'Part of the answer. '.repeat(15)}And its ending.` }));
    const ts = t.slack.nextTs();
    await mention(t, 'UHALF', 'go', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts);
    expect(answer.text).toContain('And its ending.');
    expect(t.slack.messagesIn(CHANNEL, ts).filter((m) => m.user === t.slack.botUserId)).toHaveLength(1);
  });

  it('carries on quietly where agent sessions are not available', async () => {
    t = await startTestBot();
    t.connectUser('UNOSESSION');
    t.slack.failAlways('agents.sessions.setStatus', 'not_authorized');
    t.model.respond(() => ({ text: 'fine' }));
    for (const n of [1, 2]) {
      const ts = t.slack.nextTs();
      await mention(t, 'UNOSESSION', `message ${n}`, ts);
      await t.slack.waitForAnswer(CHANNEL, ts);
    }
    expect(t.slack.callsOf('agents.sessions.setStatus')).toHaveLength(1);
    const notes = t.logs.filter((l) => l.includes('agent feature'));
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('"level":"info"');
  });
});

describe('safeCut (how much of a partial text may be streamed now)', () => {
  it('never cuts a word or a Markdown link that is still being written', () => {
    expect(safeCut('hello wor')).toBe('hello '.length);
    expect(safeCut('see [the docs](https://exa')).toBe('see '.length);
    expect(safeCut('see [the docs](https://example.com) and mo')).toBe(
      'see [the docs](https://example.com) and '.length,
    );
    expect(safeCut('@he')).toBe(0);
    expect(safeCut('x'.repeat(2500))).toBe(2500);
  });

  it('holds a code block back until it is closed, unless it runs long', () => {
    expect(safeCut('Run this:\n```\nx = a && b <c')).toBe('Run this:\n'.length);
    expect(safeCut('```\nx = 1\n``` and then mo')).toBe('```\nx = 1\n``` and then '.length);
    expect(safeCut(`Log:\n\`\`\`\n${'line of output\n'.repeat(400)}`)).toBeGreaterThan(4000);
  });
});

describe('a plan within Slack’s limits', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ botOptions: { agent: { maxSteps: 60 } } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('holds at most 50 tasks (the rest folded into the last), each title at most 256 characters', async () => {
    t.connectUser('USMANY');
    const long = `${'x'.repeat(300)}@acme.com`;
    t.model.respond((req) =>
      toolResults(req).length < 55
        ? {
            toolCalls: [
              {
                name: 'intercom_search_contacts',
                args: { query: { field: 'email', operator: '=', value: `${toolResults(req).length}${long}` } },
              },
            ],
          }
        : { text: 'Looked everywhere.' },
    );
    const ts = t.slack.nextTs();
    await mention(t, 'USMANY', 'look everywhere', ts);
    const answer = await t.slack.waitForAnswer(CHANNEL, ts, 1, 30_000);
    const ids = new Set(tasks(answer).map((task) => task.id));
    expect(ids.size).toBe(50);
    for (const task of tasks(answer)) expect(task.title.length).toBeLessThanOrEqual(256);
    expect(tasks(answer).some((task) => task.title.endsWith('…'))).toBe(true);
    const folded = tasks(answer).filter((task) => task.id === 'more-steps');
    expect(folded.at(-1)).toMatchObject({ title: '7 more steps', status: 'complete' });
  }, 60_000);
});

describe('a streamed answer that has to wait for room', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ env: { MAX_CONCURRENT_RUNS: '1' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('starts its stream at once, shows its place in the plan, and marks the wait done when it runs', async () => {
    t.connectUser('USFULL');
    t.connectUser('USNEXT');
    const gate = held();
    t.model.respond(async (req) => {
      if (req.messages.at(-1)?.text === 'hold the only slot') await gate.wait();
      return { text: 'done' };
    });
    const [busy, next] = [t.slack.nextTs(), t.slack.nextTs()];
    await mention(t, 'USFULL', 'hold the only slot', busy);
    await t.model.waitForRequests(1);
    await mention(t, 'USNEXT', 'me too', next);
    const waiting = await t.slack.waitForCall('chat.appendStream', (c) =>
      JSON.stringify(c.params.chunks).includes('Waiting for room'),
    );
    expect(JSON.stringify(waiting.params.chunks)).toContain("Waiting for room: you're next");
    // The model has not been asked for the second yet: it is waiting, and its thread says so.
    expect(t.model.requests).toHaveLength(1);
    gate.open();
    const answer = await t.slack.waitForAnswer(CHANNEL, next);
    expect(answer.text).toBe('done');
    expect(lastStatusOf(answer, 'queued')).toBe('complete');
  });
});
