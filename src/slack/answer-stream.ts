import type { types, webApi } from '@slack/bolt';
import type { AnyChunk } from '@slack/types';
import { buildAnswerFooter } from '../agent/answer-blocks.ts';
import type { AnswerFooter, AnswerSurface, PlanTask } from '../agent/answer-surface.ts';
import type { QueueWait } from '../delivery/work-queue.ts';
import type { Logger } from '../logger.ts';
import { escapeMrkdwn } from '../shared/escape.ts';
import type { UserMessage } from '../shared/messages.ts';
import { toSafeMarkdown, toSlackMrkdwn, WORKING_PREFIX } from '../shared/mrkdwn.ts';
import { MAX_TASKS } from '../shared/slack-limits.ts';
import { updateOrPost } from '../shared/slack-post.ts';
import { splitMessage } from '../shared/split-message.ts';
import { CANNOT_STREAM, createAgentExtras, type SlackCapabilities, STREAM_CLOSED, slackError } from './agent-extras.ts';
import { safeCut, sectionsOf, taskChunk } from './stream-pieces.ts';

/** Text is sent in pieces of at least this size, so a long answer is a handful of calls, not hundreds. */
const FLUSH_CHARS = 120;
/** A streamed message carries this much; beyond it the answer continues in ordinary messages. */
const STREAM_MAX_CHARS = 30_000;

const WORKING_TEXT = `${WORKING_PREFIX} Working on it…`;

const MORE_TASKS = 'more-steps';

const UNDERSTAND: PlanTask = { id: 'understand', title: 'Understanding your request', status: 'in_progress' };
const WAITING_ID = 'queued';

/** Where a waiting request stands, for the plan and for the working message. */
function describeWait(wait: QueueWait): { task: PlanTask; text: string } {
  if (wait.reason === 'conversation') {
    return {
      task: { id: WAITING_ID, title: 'Waiting for the earlier request in this conversation', status: 'pending' },
      text: `${WORKING_PREFIX} Queued: I'll start on this as soon as the earlier request in this conversation is done.`,
    };
  }
  const place =
    wait.ahead === 0
      ? "you're next"
      : `${wait.ahead} ${wait.ahead === 1 ? 'request is' : 'requests are'} ahead of yours`;
  return {
    task: { id: WAITING_ID, title: `Waiting for room: ${place}`, status: 'pending' },
    text: `${WORKING_PREFIX} Queued: I'm busy right now and ${place}. I'll start as soon as there's room.`,
  };
}

export interface AnswerStreamDeps {
  client: webApi.WebClient;
  logger: Logger;
  now: () => number;
  /** Least time between two edits of a working message (Slack rate-limits chat.update); streams need none. */
  progressIntervalMs?: number;
  /** Learned once per process: what this Slack cannot do is not tried again (and not logged again). */
  capabilities: SlackCapabilities;
  /**
   * Called once the answer has landed, with its plan's step ids: what was decided about a step while the answer
   * was still streaming (an approval card's Send or Cancel) is shown in the finished plan.
   */
  landed?: (thread: { channel: string; threadTs: string }, taskIds: string[]) => Promise<void>;
}

/**
 * Where the answer is, as Slack sees it. Every answer starts `not_started` and ends `finished`; in between it is
 * either a stream or a working message, never both:
 *
 *   not_started ─┬─> streaming ─┬─> refused ──┐
 *                │              └─> closed ───┤
 *                └─> working_message ─────────┴─> finished
 */
type State =
  /** Nothing is in Slack yet. */
  | { name: 'not_started' }
  /** A stream (chat.startStream) takes the plan and the text as they come. */
  | { name: 'streaming'; ts: string }
  /** An append was refused but the stream may still be open: the rest of the answer goes with the stop. */
  | { name: 'refused'; ts: string }
  /** Slack ended the stream early (about five minutes, or Stop): the whole answer replaces it in one edit. */
  | { name: 'closed'; ts: string }
  /** Slack cannot stream here: a posted "working" message, edited with progress and replaced by the answer. */
  | { name: 'working_message'; ts: string }
  /** The answer has landed. */
  | { name: 'finished' };

/**
 * One answer in a thread: streamed with a live plan where Slack can (chat.startStream and friends), otherwise a
 * "working" message edited with progress and replaced by the answer. Either way the answer lands exactly once, in
 * one message (long answers continue below), and a stream Slack closed early is finished with chat.update.
 */
export function createAnswerStream(deps: AnswerStreamDeps, message: UserMessage): AnswerSurface {
  return new AnswerStream(deps, message);
}

class AnswerStream implements AnswerSurface {
  private state: State = { name: 'not_started' };
  private readonly channel: string;
  private readonly threadTs: string;
  private readonly extras: ReturnType<typeof createAgentExtras>;
  /** The plan's steps by id, as last shown. */
  private readonly tasks = new Map<string, PlanTask>();
  /** Steps beyond what one plan holds, folded into its last task, "N more steps". */
  private readonly folded = new Set<string>();
  /** Everything the answer says so far, as Markdown from the model (sanitised when sent). */
  private written = '';
  /** Of `written`, what has not been handed to the stream yet. */
  private pending = '';
  /** Model text that did not reach the stream (refused, or beyond what one message carries), in order. */
  private unsent = '';
  /** More than one message carries: the rest follows in ordinary messages when the answer ends. */
  private overflowing = false;
  private streamedChars = 0;
  private lastProgress = Number.NEGATIVE_INFINITY;
  /** Slack calls, one after another, in the order they were made. */
  private chain: Promise<unknown> = Promise.resolve();
  /**
   * Chunks on their way to the stream. One append is in flight at a time and whatever piles up meanwhile goes in the
   * next one, so a busy answer makes a few calls rather than one per step; what is left at the end goes with the
   * stop.
   */
  private outbox: { chunks: AnyChunk[]; raw: string } = { chunks: [], raw: '' };
  private flushScheduled = false;

  private readonly deps: AnswerStreamDeps;
  private readonly message: UserMessage;

  constructor(deps: AnswerStreamDeps, message: UserMessage) {
    this.deps = deps;
    this.message = message;
    this.channel = message.channel;
    this.threadTs = message.threadTs;
    this.extras = createAgentExtras(
      { client: deps.client, logger: deps.logger, capabilities: deps.capabilities },
      { channel: this.channel, threadTs: this.threadTs },
    );
  }

  async queued(wait: QueueWait): Promise<void> {
    const { task, text } = describeWait(wait);
    const state = this.state;
    if (state.name === 'not_started') {
      await this.begin(task, text);
      return;
    }
    this.tasks.set(task.id, task);
    if (this.isStream()) this.append(taskChunk(task));
    else if (state.name === 'working_message') {
      await this.enqueue(() => this.deps.client.chat.update({ channel: this.channel, ts: state.ts, text }));
    }
  }

  async start(): Promise<void> {
    if (this.state.name === 'not_started') {
      await this.begin(UNDERSTAND, WORKING_TEXT);
      return;
    }
    // It waited its turn: the plan says so, and the work starts now.
    const waited = this.tasks.get(WAITING_ID);
    if (waited) this.sendTask({ ...waited, status: 'complete' });
    if (this.state.name === 'working_message') {
      const ts = this.state.ts;
      void this.enqueue(() => this.deps.client.chat.update({ channel: this.channel, ts, text: WORKING_TEXT }));
    } else this.sendTask(UNDERSTAND);
  }

  task(task: PlanTask): void {
    const understanding = this.tasks.get(UNDERSTAND.id);
    if (understanding?.status === 'in_progress') this.sendTask({ ...understanding, status: 'complete' });
    this.flushText(true);
    this.sendTask(task);
  }

  text(delta: string): void {
    this.written += delta;
    this.pending += delta;
    if (this.pending.length >= FLUSH_CHARS) this.flushText(false);
  }

  async finish(end: Parameters<AnswerSurface['finish']>[0]): Promise<void> {
    const streamed = this.isStream();
    await this.land(end);
    if (streamed && this.deps.landed) {
      await this.deps.landed({ channel: this.channel, threadTs: this.threadTs }, [...this.tasks.keys()]);
    }
  }

  private async land({ after, footer, session }: Parameters<AnswerSurface['finish']>[0]): Promise<void> {
    this.extras.session(session);
    const tail = after.filter(Boolean).join('\n\n');
    const body = [this.written.trim(), tail].filter(Boolean).join('\n\n');
    const blocks = footer ? buildAnswerFooter(footer) : [];
    const state = this.state;
    let replacing = 'ts' in state ? state.ts : '';
    if (state.name === 'streaming' || state.name === 'refused') {
      if (tail) this.pending += `${this.written.trim() ? '\n\n' : ''}${tail}`;
      // The rest of the text and the plan's last changes go with the stop, in the same call.
      this.flushText(true, { hold: true });
      await this.chain;
      if (await this.stopStream(blocks)) {
        // Longer than a message carries: the rest follows in ordinary messages, the footer under the last.
        if (this.overflowing && this.state.name === 'streaming') {
          await this.enqueue(() => this.postPieces(this.unsent, blocks, footer));
        }
        this.state = { name: 'finished' };
        return;
      }
      replacing = state.ts;
    }
    // Slack closed the stream early, or it never started: the whole answer replaces the message in one edit, so
    // nothing is half-said or said twice.
    this.state = { name: 'finished' };
    await this.enqueue(() => this.postPieces(body, blocks, footer, replacing));
  }

  /** Shows the first step at once: as a stream where Slack can, else as a posted working message. */
  private async begin(first: PlanTask, fallbackText: string): Promise<void> {
    const { client, capabilities, logger } = this.deps;
    this.tasks.set(first.id, first);
    this.extras.session('processing');
    if (capabilities.streaming) {
      try {
        const started = await client.chat.startStream({
          channel: this.channel,
          thread_ts: this.threadTs,
          // Outside a DM, only the person who asked sees the stream live; everyone sees the finished answer.
          ...(this.message.isDirect
            ? {}
            : { recipient_team_id: this.message.teamId, recipient_user_id: this.message.userId }),
          task_display_mode: 'plan',
          chunks: [taskChunk(first)],
        });
        this.state = { name: 'streaming', ts: started.ts ?? '' };
        return;
      } catch (error) {
        if (!CANNOT_STREAM.has(slackError(error))) throw error;
        capabilities.streaming = false;
        logger.info('Slack cannot stream answers here; posting and editing messages instead', {
          error: slackError(error),
        });
      }
    }
    // Without a stream's live plan, Slack's status line under the thread shows that the bot is on it.
    this.extras.working();
    const posted = await client.chat.postMessage({
      channel: this.channel,
      thread_ts: this.threadTs,
      text: fallbackText,
    });
    this.state = { name: 'working_message', ts: posted.ts ?? '' };
  }

  private enqueue(work: () => Promise<unknown>): Promise<unknown> {
    this.chain = this.chain.then(work).catch((error: unknown) => {
      this.deps.logger.warn('Updating the answer in Slack failed', { channel: this.channel }, error);
    });
    return this.chain;
  }

  /** Adds a chunk for the stream; unless `hold`, an append goes out as soon as the one in flight is done. */
  private append(chunk: AnyChunk, raw = '', hold = false): void {
    this.outbox.chunks.push(chunk);
    this.outbox.raw += raw;
    if (this.flushScheduled || hold) return;
    this.flushScheduled = true;
    void this.enqueue(() => this.flushOutbox());
  }

  private takeOutbox(): { chunks: AnyChunk[]; raw: string } {
    const batch = this.outbox;
    this.outbox = { chunks: [], raw: '' };
    return batch;
  }

  private async flushOutbox(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.takeOutbox();
    if (batch.chunks.length === 0) return;
    const state = this.state;
    if (state.name !== 'streaming') {
      // After a refused append (or once Slack closed the stream), text is kept for the final call instead.
      this.unsent += batch.raw;
      return;
    }
    try {
      await this.deps.client.chat.appendStream({ channel: this.channel, ts: state.ts, chunks: batch.chunks });
    } catch (error) {
      this.state = { name: STREAM_CLOSED.has(slackError(error)) ? 'closed' : 'refused', ts: state.ts };
      this.unsent += batch.raw;
      throw error;
    }
  }

  /** Sends what the model wrote since the last flush, up to a point where no link or word is cut in two. */
  private flushText(all: boolean, options: { hold?: boolean } = {}): void {
    if (!this.isStream()) return;
    const cut = all ? this.pending.length : safeCut(this.pending);
    if (cut === 0) return;
    const piece = this.pending.slice(0, cut);
    this.pending = this.pending.slice(cut);
    const text = toSafeMarkdown(piece);
    if (this.overflowing || this.streamedChars + text.length > STREAM_MAX_CHARS) {
      this.overflowing = true;
      this.unsent += piece;
      return;
    }
    this.streamedChars += text.length;
    this.append({ type: 'markdown_text', text }, piece, options.hold);
  }

  private fitPlan(task: PlanTask): PlanTask {
    if (this.tasks.has(task.id) || (!this.folded.has(task.id) && this.tasks.size < MAX_TASKS - 1)) return task;
    this.folded.add(task.id);
    return { id: MORE_TASKS, title: `${this.folded.size} more steps`, status: task.status };
  }

  private sendTask(step: PlanTask): void {
    const task = this.fitPlan(step);
    this.tasks.set(task.id, task);
    const state = this.state;
    if (this.isStream()) this.append(taskChunk(task));
    else if (state.name === 'working_message' && task.status === 'in_progress') {
      const at = this.deps.now();
      if (at - this.lastProgress < (this.deps.progressIntervalMs ?? 1500)) return;
      this.lastProgress = at;
      const text = `${WORKING_TEXT} (${escapeMrkdwn(task.title.toLowerCase())})`;
      void this.enqueue(() => this.deps.client.chat.update({ channel: this.channel, ts: state.ts, text }));
    }
  }

  /** A stream was started (whatever Slack has done to it since). */
  private isStream(): boolean {
    return this.state.name === 'streaming' || this.state.name === 'refused' || this.state.name === 'closed';
  }

  /**
   * Ends the stream with the plan's open steps closed and the footer; after a refused append, the text that did not
   * get through goes with it. False when Slack has ended the stream already.
   */
  private async stopStream(blocks: types.KnownBlock[]): Promise<boolean> {
    const state = this.state;
    const last = this.takeOutbox();
    if (state.name === 'closed') {
      this.unsent += last.raw;
      return false;
    }
    if (state.name !== 'streaming' && state.name !== 'refused') return false;
    const refused = state.name === 'refused';
    if (refused) this.unsent += last.raw;
    const closing = [...this.tasks.values()]
      .filter((t) => t.status === 'in_progress')
      .map((t) => taskChunk({ ...t, status: 'complete' }));
    const chunks: AnyChunk[] = refused
      ? [
          ...(this.unsent ? [{ type: 'markdown_text' as const, text: toSafeMarkdown(this.unsent) }] : []),
          ...last.chunks.filter((c) => c.type !== 'markdown_text'),
        ]
      : last.chunks;
    chunks.push(...closing);
    try {
      await this.deps.client.chat.stopStream({
        channel: this.channel,
        ts: state.ts,
        ...(chunks.length > 0 && { chunks }),
        ...(blocks.length > 0 && !(this.overflowing && !refused) && { blocks }),
      });
      return true;
    } catch (error) {
      if (!STREAM_CLOSED.has(slackError(error))) this.deps.logger.warn('Stopping the answer stream failed', error);
      return false;
    }
  }

  /**
   * The answer as ordinary messages, long ones split into pieces Slack shows whole, the footer under the last. With
   * `replacing`, the first piece takes the place of that message (the working message, or a stream Slack closed).
   */
  private async postPieces(
    markdown: string,
    footerBlocks: types.KnownBlock[],
    footer?: AnswerFooter,
    replacing?: string,
  ): Promise<void> {
    const { client } = this.deps;
    const text = toSlackMrkdwn(markdown) || "I couldn't come up with an answer to that. Could you rephrase it?";
    const pieces = splitMessage(text);
    for (const [i, piece] of pieces.entries()) {
      const shown = {
        text: piece,
        blocks: i === pieces.length - 1 && footer ? [...sectionsOf(piece), ...footerBlocks] : sectionsOf(piece),
      };
      if (i === 0 && replacing !== undefined) {
        await updateOrPost(client, { channel: this.channel, threadTs: this.threadTs, ts: replacing }, shown);
      } else await client.chat.postMessage({ channel: this.channel, thread_ts: this.threadTs, ...shown });
    }
  }
}
