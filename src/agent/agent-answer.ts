import type { webApi } from '@slack/bolt';
import type { Answer, ConnectPrompter } from '../connect/connect-flow.ts';
import type { ParkedRequests } from '../connect/parked-requests.ts';
import type { WorkQueue } from '../delivery/work-queue.ts';
import { replyForError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import { escapeMrkdwn, inlineCode } from '../shared/escape.ts';
import type { UserMessage } from '../shared/messages.ts';
import { splitMessage, toSlackMrkdwn, WORKING_PREFIX } from '../shared/mrkdwn.ts';
import type { AgentOutcome, SupportAgent, Turn } from './support-agent.ts';

export interface AgentAnswerDeps {
  agent: SupportAgent;
  gateway: Pick<ScalekitGateway, 'listTools'>;
  prompt: ConnectPrompter;
  parked: ParkedRequests;
  /** The conversation so far (earlier turns of the thread), read from Slack. */
  history: (message: UserMessage, client: webApi.WebClient) => Promise<Turn[]>;
  /** One run per teammate at a time, and a global cap. */
  queue: Pick<WorkQueue, 'acquire'>;
  logger: Logger;
  now: () => number;
  /** Least time between two progress updates of the working message (Slack rate-limits chat.update). */
  progressIntervalMs?: number;
}

const WORKING_TEXT = `${WORKING_PREFIX} Working on it…`;
const QUEUED_TEXT = `${WORKING_PREFIX} Queued: I'll start on this as soon as I'm done with what's ahead of it.`;

/**
 * Answers a connected user's message with the agent: a "working" message in the thread at once, progress while
 * tools run, then the answer in its place (long answers continue in further messages).
 */
export function createAgentAnswer(deps: AgentAnswerDeps): Answer {
  const progressIntervalMs = deps.progressIntervalMs ?? 1500;
  return async (message, identifier, client) => {
    let queued = false;
    const turn = deps.queue.acquire(`${message.teamId}:${message.userId}`, () => {
      queued = true;
    });
    const placeholder = await client.chat
      .postMessage({ channel: message.channel, thread_ts: message.threadTs, text: queued ? QUEUED_TEXT : WORKING_TEXT })
      .catch(async (error: unknown) => {
        (await turn)();
        throw error;
      });
    const working = createWorkingMessage(client, message.channel, placeholder.ts, deps.logger);
    const release = await turn;
    if (queued) working.update(WORKING_TEXT);
    let lastProgress = 0;
    const progress = (title: string) => {
      const at = deps.now();
      if (at - lastProgress < progressIntervalMs) return;
      lastProgress = at;
      // Tool titles come from the tool catalogue, not from us.
      working.update(`${WORKING_TEXT} (${escapeMrkdwn(title.toLowerCase())})`);
    };

    let reply: string;
    try {
      const [history, tools] = await Promise.all([deps.history(message, client), deps.gateway.listTools(identifier)]);
      const outcome = await deps.agent.run({
        identifier,
        origin: {
          teamId: message.teamId,
          userId: message.userId,
          channel: message.channel,
          threadTs: message.threadTs,
        },
        turns: [...history, { role: 'user', content: message.text }],
        tools,
        progress,
      });
      if (outcome.kind === 'reconnect') {
        deps.parked.park(message, deps.now());
        await deps.prompt(client, message, 'expired');
      }
      reply = render(outcome, message.isDirect);
    } catch (error) {
      deps.logger.error('Answering failed', { channel: message.channel, ts: message.ts }, error);
      reply = replyForError(error);
    } finally {
      release();
    }
    await working.finish(splitMessage(reply), message.threadTs);
  };
}

function render(outcome: AgentOutcome, isDirect: boolean): string {
  switch (outcome.kind) {
    case 'answer':
      return withFailures(
        toSlackMrkdwn(outcome.text) || "I couldn't come up with an answer to that. Could you rephrase it?",
        outcome.failures,
      );
    case 'step_cap':
      return withFailures(
        [
          `I stopped after ${outcome.steps} steps without finishing.`,
          outcome.done.length > 0 ? `So far I did: ${outcome.done.map((d) => `• ${escapeMrkdwn(d)}`).join('\n')}` : '',
          outcome.text ? toSlackMrkdwn(outcome.text) : '',
          'Ask me to continue, or narrow the request down.',
        ]
          .filter(Boolean)
          .join('\n\n'),
        outcome.failures,
      );
    case 'reconnect':
      return `Your Intercom connection has expired or was revoked, so I stopped. ${
        isDirect ? 'Use the *Connect Intercom* button I just sent' : "I've sent you a DM to reconnect"
      }; once you're connected again, I'll pick this up here.`;
    case 'model_failed':
      return outcome.reason === 'timeout'
        ? 'Sorry, the AI model took too long, so I stopped. Nothing was changed in Intercom. Please try again in a minute.'
        : "Sorry, I couldn't get an answer from the AI model just now. Nothing was changed in Intercom. Please try again in a minute.";
  }
}

/** Permission and rate-limit failures are stated plainly, whatever the model made of them. */
function withFailures(text: string, failures: Array<{ kind: string; toolName: string }>): string {
  const notes: string[] = [];
  const refused = [...new Set(failures.filter((f) => f.kind === 'forbidden').map((f) => f.toolName))];
  if (refused.length > 0) {
    notes.push(`_Intercom refused ${refused.map(inlineCode).join(', ')}: your Intercom permissions don't allow it._`);
  }
  if (failures.some((f) => f.kind === 'rate_limited')) {
    notes.push(
      '_Intercom is rate-limiting requests right now, so some information may be missing. Try again in a minute._',
    );
  }
  return [text, ...notes].join('\n\n');
}

/** The placeholder message: progress edits happen in order, and the final answer always lands last. */
function createWorkingMessage(client: webApi.WebClient, channel: string, ts: string | undefined, logger: Logger) {
  let chain: Promise<unknown> = Promise.resolve();
  let finished = false;
  const enqueue = (work: () => Promise<unknown>) => {
    chain = chain.then(work).catch((error: unknown) => logger.warn('Updating the working message failed', error));
    return chain;
  };
  return {
    update(text: string) {
      if (finished || !ts) return;
      void enqueue(() => client.chat.update({ channel, ts, text }));
    },
    async finish(chunks: string[], threadTs: string) {
      finished = true;
      const [first = '', ...rest] = chunks;
      await enqueue(async () => {
        if (ts) {
          await client.chat.update({ channel, ts, text: first }).catch(async () => {
            // The working message is gone (deleted by someone): post the answer instead.
            await client.chat.postMessage({ channel, thread_ts: threadTs, text: first });
          });
        } else {
          await client.chat.postMessage({ channel, thread_ts: threadTs, text: first });
        }
        for (const chunk of rest) await client.chat.postMessage({ channel, thread_ts: threadTs, text: chunk });
      });
    },
  };
}
