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
}

/**
 * One answer in a thread: streamed with a live plan where Slack can (chat.startStream and friends), otherwise a
 * "working" message edited with progress and replaced by the answer. Either way the answer lands exactly once, in
 * one message (long answers continue below), and a stream Slack closed early is finished with chat.update.
 */
export function createAnswerStream(deps: AnswerStreamDeps, message: UserMessage): AnswerSurface {
  const { client, logger } = deps;
  const progressIntervalMs = deps.progressIntervalMs ?? 1500;
  const channel = message.channel;
  const threadTs = message.threadTs;
  let mode: 'stream' | 'post' | undefined;
  let ts: string | undefined;
  /**
   * The stream's health: `failed` when an append was refused but the stream may still be open, `closed` when Slack
   * ended it (about five minutes, or Stop). Either way the answer is finished in one final call.
   */
  let stream: 'open' | 'failed' | 'closed' = 'open';
  /** Everything the answer says so far, as Markdown from the model (sanitised when sent). */
  let written = '';
  /** Of `written`, what has not been handed to the stream yet. */
  let pending = '';
  /** Model text that did not reach the stream (refused, or beyond what one message carries), in order. */
  let unsent = '';
  let overflowing = false;
  let streamedChars = 0;
  let lastProgress = Number.NEGATIVE_INFINITY;
  const tasks = new Map<string, PlanTask>();
  let chain: Promise<unknown> = Promise.resolve();
  const enqueue = (work: () => Promise<unknown>) => {
    chain = chain.then(work).catch((error: unknown) => {
      logger.warn('Updating the answer in Slack failed', { channel }, error);
    });
    return chain;
  };
  /**
   * Chunks on their way to the stream. One append is in flight at a time and whatever piles up meanwhile goes in the
   * next one, so a busy answer makes a few calls rather than one per step; what is left at the end goes with the
   * stop. After a refused append, text is kept for the final call instead.
   */
  let outbox: { chunks: AnyChunk[]; raw: string } = { chunks: [], raw: '' };
  let flushScheduled = false;
  let finishing = false;
  const takeOutbox = () => {
    const batch = outbox;
    outbox = { chunks: [], raw: '' };
    return batch;
  };
  const flushOutbox = async () => {
    flushScheduled = false;
    const batch = takeOutbox();
    if (batch.chunks.length === 0 || !ts) return;
    if (stream !== 'open') {
      unsent += batch.raw;
      return;
    }
    try {
      await client.chat.appendStream({ channel, ts, chunks: batch.chunks });
    } catch (error) {
      stream = STREAM_CLOSED.has(slackError(error)) ? 'closed' : 'failed';
      unsent += batch.raw;
      throw error;
    }
  };
  const append = (chunk: AnyChunk, raw = '') => {
    outbox.chunks.push(chunk);
    outbox.raw += raw;
    if (flushScheduled || finishing) return;
    flushScheduled = true;
    void enqueue(flushOutbox);
  };

  const extras = createAgentExtras({ client, logger, capabilities: deps.capabilities }, { channel, threadTs });

  const begin = async (first: PlanTask, fallbackText: string) => {
    tasks.set(first.id, first);
    extras.session('processing');
    if (deps.capabilities.streaming) {
      try {
        const started = await client.chat.startStream({
          channel,
          thread_ts: threadTs,
          // Outside a DM, only the person who asked sees the stream live; everyone sees the finished answer.
          ...(message.isDirect ? {} : { recipient_team_id: message.teamId, recipient_user_id: message.userId }),
          task_display_mode: 'plan',
          chunks: [taskChunk(first)],
        });
        ts = started.ts;
        mode = 'stream';
        return;
      } catch (error) {
        if (!CANNOT_STREAM.has(slackError(error))) throw error;
        deps.capabilities.streaming = false;
        logger.info('Slack cannot stream answers here; posting and editing messages instead', {
          error: slackError(error),
        });
      }
    }
    // Without a stream's live plan, Slack's status line under the thread shows that the bot is on it.
    extras.working();
    const posted = await client.chat.postMessage({ channel, thread_ts: threadTs, text: fallbackText });
    ts = posted.ts;
    mode = 'post';
  };

  /** Sends what the model wrote since the last flush, up to a point where no link or word is cut in two. */
  const flushText = (all: boolean) => {
    if (mode !== 'stream' || !ts) return;
    const cut = all ? pending.length : safeCut(pending);
    if (cut === 0) return;
    const piece = pending.slice(0, cut);
    pending = pending.slice(cut);
    const text = toSafeMarkdown(piece);
    if (overflowing || streamedChars + text.length > STREAM_MAX_CHARS) {
      // More than one message carries: the rest follows in ordinary messages when the answer ends.
      overflowing = true;
      unsent += piece;
      return;
    }
    streamedChars += text.length;
    append({ type: 'markdown_text', text }, piece);
  };

  /** Steps beyond what one plan holds are folded into its last task, "N more steps". */
  const folded = new Set<string>();
  const fitPlan = (task: PlanTask): PlanTask => {
    if (tasks.has(task.id) || (!folded.has(task.id) && tasks.size < MAX_TASKS - 1)) return task;
    folded.add(task.id);
    return { id: MORE_TASKS, title: `${folded.size} more steps`, status: task.status };
  };
  const sendTask = (step: PlanTask) => {
    const task = fitPlan(step);
    tasks.set(task.id, task);
    if (mode === 'stream') append(taskChunk(task));
    else if (mode === 'post' && ts && task.status === 'in_progress') {
      const at = deps.now();
      if (at - lastProgress < progressIntervalMs) return;
      lastProgress = at;
      const edit = ts;
      void enqueue(() =>
        client.chat.update({ channel, ts: edit, text: `${WORKING_TEXT} (${escapeMrkdwn(task.title.toLowerCase())})` }),
      );
    }
  };

  return {
    async queued(wait) {
      const { task, text } = describeWait(wait);
      if (!mode) {
        await begin(task, text);
        return;
      }
      tasks.set(task.id, task);
      if (mode === 'stream') append(taskChunk(task));
      else if (ts) {
        const edit = ts;
        await enqueue(() => client.chat.update({ channel, ts: edit, text }));
      }
    },

    async start() {
      if (!mode) {
        await begin(UNDERSTAND, WORKING_TEXT);
        return;
      }
      // It waited its turn: the plan says so, and the work starts now.
      const waited = tasks.get(WAITING_ID);
      if (waited) sendTask({ ...waited, status: 'complete' });
      if (mode === 'post' && ts) {
        const edit = ts;
        void enqueue(() => client.chat.update({ channel, ts: edit, text: WORKING_TEXT }));
      } else sendTask(UNDERSTAND);
    },

    task(task) {
      const understanding = tasks.get(UNDERSTAND.id);
      if (understanding?.status === 'in_progress') sendTask({ ...understanding, status: 'complete' });
      flushText(true);
      sendTask(task);
    },

    text(delta) {
      written += delta;
      pending += delta;
      if (pending.length >= FLUSH_CHARS) flushText(false);
    },

    async finish({ after, footer, session: state }) {
      extras.session(state);
      const tail = after.filter(Boolean).join('\n\n');
      const body = [written.trim(), tail].filter(Boolean).join('\n\n');
      const blocks = footer ? buildAnswerFooter(footer) : [];
      if (mode === 'stream' && ts) {
        if (tail) pending += `${written.trim() ? '\n\n' : ''}${tail}`;
        // The rest of the text and the plan's last changes go with the stop, in the same call.
        finishing = true;
        flushText(true);
        await chain;
        if (await stopStream(ts, blocks)) {
          // Longer than a message carries: the rest follows in ordinary messages, the footer under the last.
          if (overflowing && stream === 'open') await enqueue(() => postPieces(unsent, blocks, footer));
          return;
        }
      }
      // Slack closed the stream early (about five minutes, or Stop), or it never started: the whole answer
      // replaces the message in one edit, so nothing is half-said or said twice.
      await enqueue(() => postPieces(body, blocks, footer, ts ?? ''));
    },
  };

  /**
   * Ends the stream with the plan's open steps closed and the footer; after a refused append, the text that did not
   * get through goes with it. False when Slack has ended the stream already.
   */
  async function stopStream(at: string, blocks: types.KnownBlock[]): Promise<boolean> {
    const last = takeOutbox();
    if (stream === 'closed') {
      unsent += last.raw;
      return false;
    }
    if (stream === 'failed') unsent += last.raw;
    const closing = [...tasks.values()]
      .filter((t) => t.status === 'in_progress')
      .map((t) => taskChunk({ ...t, status: 'complete' }));
    const chunks: AnyChunk[] =
      stream === 'failed'
        ? [
            ...(unsent ? [{ type: 'markdown_text' as const, text: toSafeMarkdown(unsent) }] : []),
            ...last.chunks.filter((c) => c.type !== 'markdown_text'),
          ]
        : last.chunks;
    chunks.push(...closing);
    try {
      await client.chat.stopStream({
        channel,
        ts: at,
        ...(chunks.length > 0 && { chunks }),
        ...(blocks.length > 0 && !(overflowing && stream === 'open') && { blocks }),
      });
      return true;
    } catch (error) {
      if (!STREAM_CLOSED.has(slackError(error))) logger.warn('Stopping the answer stream failed', error);
      return false;
    }
  }

  /**
   * The answer as ordinary messages, long ones split into pieces Slack shows whole, the footer under the last. With
   * `replacing`, the first piece takes the place of that message (the working message, or a stream Slack closed).
   */
  async function postPieces(
    markdown: string,
    footerBlocks: types.KnownBlock[],
    footer?: AnswerFooter,
    replacing?: string,
  ) {
    const text = toSlackMrkdwn(markdown) || "I couldn't come up with an answer to that. Could you rephrase it?";
    const pieces = splitMessage(text);
    for (const [i, piece] of pieces.entries()) {
      const shown = {
        text: piece,
        blocks: i === pieces.length - 1 && footer ? [...sectionsOf(piece), ...footerBlocks] : sectionsOf(piece),
      };
      if (i === 0 && replacing !== undefined) await updateOrPost(client, { channel, threadTs, ts: replacing }, shown);
      else await client.chat.postMessage({ channel, thread_ts: threadTs, ...shown });
    }
  }
}
