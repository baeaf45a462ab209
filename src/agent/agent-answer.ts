import type { webApi } from '@slack/bolt';
import type { Answer, ConnectPrompter } from '../connect/connect-flow.ts';
import type { ParkedRequests } from '../connect/parked-requests.ts';
import type { Replica, TurnLease } from '../delivery/replicas.ts';
import type { WorkQueue } from '../delivery/work-queue.ts';
import { replyForError } from '../errors.ts';
import type { IntercomAccount } from '../intercom/account.ts';
import type { Logger } from '../logger.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import type { Turn, UserMessage } from '../shared/messages.ts';
import type { Source } from './answer-surface.ts';
import type { AgentOutcome, SupportAgent } from './support-agent.ts';

export interface AgentAnswerDeps {
  agent: SupportAgent;
  gateway: Pick<ScalekitGateway, 'listTools'>;
  prompt: ConnectPrompter;
  parked: ParkedRequests;
  /** The conversation so far: the thread's earlier turns, or a DM's recent ones. */
  history: (message: UserMessage, client: webApi.WebClient) => Promise<Turn[]>;
  /** After an answer about one or a few specific conversations: a card for each, to act on them in a click. */
  showConversations?: (
    message: UserMessage,
    account: IntercomAccount,
    conversationIds: string[],
    client: webApi.WebClient,
  ) => Promise<void>;
  /** Called with the finished exchange, so a DM can continue from it. */
  remember: (message: UserMessage, answer: string) => Promise<void>;
  /** When a run may start: one per conversation (the next sees the answer before it), within the bot's limits. */
  queue: Pick<WorkQueue, 'acquire'>;
  /** Resolves when the run may begin its CPU work (after a burst's new messages have shown they are started). */
  turn: () => Promise<void>;
  /** The conversation's turn across processes (PostgreSQL), fenced: the queue orders it within this process. */
  turns: Pick<Replica, 'takeTurn'>;
  logger: Logger;
  now: () => number;
}

export interface AgentAnswer {
  answer: Answer;
  /**
   * Stops the run in this thread (Slack's Stop button): the model call is aborted, what was done stays done. With
   * `requestedAt` (Stop pressed on another process), only a run that had started by then.
   */
  stop(thread: { channel: string; threadTs: string }, requestedAt?: number): boolean;
}

/**
 * The pipeline's agent run: answers a connected teammate's message with the agent, in their own Intercom account,
 * on the surface the gate started: its place in the queue if it has to wait, the plan and the text as they happen,
 * then the answer with a footer. Messages of one conversation run one after another.
 */
export function createAgentAnswer(deps: AgentAnswerDeps): AgentAnswer {
  const running = new Map<string, { controller: AbortController; startedAt: number }>();
  const threadKey = (t: { channel: string; threadTs: string }) => `${t.channel}:${t.threadTs}`;

  const answer: Answer = async (message, account, client, surface) => {
    let waited = false;
    const releaseHere = await deps.queue.acquire(
      { key: conversationKey(message), teammate: `${message.teamId}:${message.userId}` },
      (wait) => {
        waited = true;
        surface.queued(wait).catch((error: unknown) => deps.logger.warn('Showing the queue place failed', error));
      },
    );
    let lease: TurnLease;
    try {
      lease = await deps.turns.takeTurn(conversationKey(message), message, () =>
        deps.logger.info('Waiting for a turn held by another process', { channel: message.channel, ts: message.ts }),
      );
    } catch (error) {
      releaseHere();
      throw error;
    }
    let fenced = false;
    const release = async () => {
      fenced = !(await lease.holds().catch(() => false));
      await lease.release().catch((error: unknown) => deps.logger.warn('Releasing the turn failed', error));
      releaseHere();
    };
    if (waited) await surface.start().catch((error: unknown) => deps.logger.warn('Starting the answer failed', error));
    await deps.turn();

    const stop = new AbortController();
    running.set(threadKey(message), { controller: stop, startedAt: deps.now() });
    let outcome: AgentOutcome | undefined;
    let after: string[];
    try {
      // The history is read only now, so a message that waited its turn sees the answer before it.
      const [history, tools] = await Promise.all([
        deps.history(message, client),
        deps.gateway.listTools(account.identifier),
      ]);
      outcome = await deps.agent.run({
        account,
        origin: {
          teamId: message.teamId,
          userId: message.userId,
          channel: message.channel,
          threadTs: message.threadTs,
        },
        turns: [...history, { role: 'user', content: message.text }],
        tools,
        plan: (task) => surface.task(task),
        onText: (delta) => surface.text(delta),
        signal: stop.signal,
      });
      if (outcome.kind === 'reconnect') {
        await deps.parked.park(message, deps.now());
        await deps.prompt(client, message, 'expired');
      }
      after = notesFor(outcome, message.isDirect);
    } catch (error) {
      deps.logger.error('Answering failed', { channel: message.channel, ts: message.ts }, error);
      after = [replyForError(error)];
    } finally {
      running.delete(threadKey(message));
      await release();
    }
    if (fenced) {
      // This process was taken for dead meanwhile and the user was told the request was interrupted.
      deps.logger.warn('Dropped an answer: the turn was taken over', { channel: message.channel, ts: message.ts });
      return;
    }
    const answered = outcome?.kind === 'answer' || outcome?.kind === 'step_cap';
    await surface.finish({
      after,
      footer: answered
        ? { actingAs: message.userId, where: message.isDirect ? 'dm' : 'thread', feedback: true }
        : undefined,
      session: outcome && 'proposals' in outcome && outcome.proposals > 0 ? 'suspended' : 'closed',
    });
    if (answered && outcome && 'text' in outcome) await deps.remember(message, [outcome.text, ...after].join('\n\n'));
    const about = outcome && 'conversations' in outcome ? outcome.conversations : [];
    if (answered && deps.showConversations && about.length > 0 && about.length <= MAX_CARDS) {
      await deps
        .showConversations(message, account, about, client)
        .catch((error: unknown) => deps.logger.warn('Showing conversation cards failed', error));
    }
  };

  return {
    answer,
    stop(thread, requestedAt) {
      const run = running.get(threadKey(thread));
      if (!run || (requestedAt !== undefined && run.startedAt > requestedAt)) return false;
      run.controller.abort();
      return true;
    },
  };
}

/** More conversations than this make a list, not a few specific ones: no cards then. */
const MAX_CARDS = 3;

/**
 * Which conversation a message belongs to: its thread, or for a top-level DM the DM itself (a top-level DM
 * continues the recent conversation, so it must not overtake the one before it).
 */
function conversationKey(message: UserMessage): string {
  return message.isDirect && message.threadTs === message.ts
    ? `dm:${message.teamId}:${message.userId}`
    : `${message.channel}:${message.threadTs}`;
}

/** What the answer says after (or instead of) what the model wrote: Markdown, made safe by the surface. */
function notesFor(outcome: AgentOutcome, isDirect: boolean): string[] {
  switch (outcome.kind) {
    case 'answer':
      return [
        ...(outcome.text.trim() ? [] : ["I couldn't come up with an answer to that. Could you rephrase it?"]),
        ...sourceNotes(outcome.articles),
        ...failureNotes(outcome.failures),
      ];
    case 'step_cap':
      return [
        `I stopped after ${outcome.steps} steps without finishing.`,
        ...(outcome.done.length > 0 ? [`So far I did:\n${outcome.done.map((d) => `• ${d}`).join('\n')}`] : []),
        'Ask me to continue, or narrow the request down.',
        ...failureNotes(outcome.failures),
      ];
    case 'stopped':
      return [
        `_Stopped. Nothing more was done${outcome.proposals > 0 ? '; the approval card above still waits for you' : ''}._`,
      ];
    case 'reconnect':
      return [
        `Your Intercom connection has expired or was revoked, so I stopped. ${
          isDirect ? 'Use the *Connect Intercom* button I just sent' : "I've sent you a DM to reconnect"
        }; once you're connected again, I'll pick this up here.`,
      ];
    case 'model_failed':
      return [
        outcome.reason === 'timeout'
          ? 'Sorry, the AI model took too long, so I stopped. Nothing was changed in Intercom. Please try again in a minute.'
          : "Sorry, I couldn't get an answer from the AI model just now. Nothing was changed in Intercom. Please try again in a minute.",
      ];
  }
}

/** The help-center articles the answer drew on, as links (made safe by the surface like any Markdown). */
function sourceNotes(articles: Source[]): string[] {
  if (articles.length === 0) return [];
  const links = articles.map((a) => `[${a.title.replace(/[[\]\n]/g, ' ').trim()}](${a.url})`);
  return [`_Help center:_ ${links.join(' · ')}`];
}

/** Permission and rate-limit failures are stated plainly, whatever the model made of them. */
function failureNotes(failures: Array<{ kind: string; toolName: string }>): string[] {
  const notes: string[] = [];
  const refused = [...new Set(failures.filter((f) => f.kind === 'forbidden').map((f) => f.toolName))];
  if (refused.length > 0) {
    notes.push(
      `_Intercom refused ${refused.map((t) => `\`${t}\``).join(', ')}: your Intercom permissions don't allow it._`,
    );
  }
  if (failures.some((f) => f.kind === 'rate_limited')) {
    notes.push(
      '_Intercom is rate-limiting requests right now, so some information may be missing. Try again in a minute._',
    );
  }
  return notes;
}
