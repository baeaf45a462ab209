import type { QueueWait } from '../delivery/work-queue.ts';

/** A step of the live plan: a tool call, or the bot's own work around it. */
export interface PlanTask {
  id: string;
  title: string;
  status: 'pending' | 'in_progress' | 'complete' | 'error';
  /** One short line under the title (e.g. where the approval card is). */
  details?: string;
  /** What the step found to cite (help-center articles): titles and links, from Intercom, so untrusted. */
  sources?: Source[];
}

/** A page an answer draws on. */
export interface Source {
  title: string;
  url: string;
}

export interface AnswerFooter {
  /** The Slack user the bot acted as in Intercom. */
  actingAs: string;
  /** In a DM: remind how to start over. In a channel thread: offer to stop following. */
  where: 'dm' | 'thread';
  /** The answer is the bot's own (feedback buttons make sense), not an error notice. */
  feedback: boolean;
}

/**
 * Where one answer appears while it is worked on. The agent workflow drives it; src/slack/ implements it (a
 * streamed message with a live plan, or a posted message that is edited where Slack cannot stream).
 */
export interface AnswerSurface {
  /** Shown at once, before anything upstream is asked: the bot is on it. Called again when a queued run starts. */
  start(): Promise<void>;
  /** The request waits: behind an earlier one in its conversation, or for room (with its place). */
  queued(wait: QueueWait): Promise<void>;
  /** Adds or updates a step of the plan (same id = same step). */
  task(task: PlanTask): void;
  /** Model text as it is written: Markdown, untrusted. */
  text(delta: string): void;
  /** Ends the answer, once: paragraphs to add after the streamed text, then the footer. */
  finish(end: { after: string[]; footer?: AnswerFooter; session: 'closed' | 'suspended' }): Promise<void>;
}
