// What the benchmark's processes tell each other over their IPC channels. Times are milliseconds since the epoch
// with sub-millisecond precision (performance.timeOrigin + performance.now()), so the three processes share a clock.

export interface Latency {
  slack: number;
  scalekit: number;
  model: number;
  tool: number;
}

export type MessageKind = 'mention' | 'thread' | 'dm';

/** One message a simulated teammate sends in a wave. */
export interface Outgoing {
  user: string;
  identifier: string;
  kind: MessageKind;
  /** Unique per message; the model emulator finds the message by it. */
  tag: string;
  /** Earlier turns already in the thread or DM (half the teammate's, half the bot's). */
  historyTurns: number;
}

export type UpstreamKind = 'slack' | 'model' | 'scalekit' | 'tool';

/** A call the message's work made upstream, as the emulator served it: arrival to the end of its response. */
export interface Served {
  kind: UpstreamKind;
  start: number;
  end: number;
  /** Request body size (model requests). */
  bytes?: number;
}

export interface Delivered {
  user: string;
  kind: MessageKind;
  sentAt: number;
  ackMs: number;
  ackStatus: number;
  /** The first thing the teammate sees: a working message, a stream or a status. */
  feedbackAt?: number;
  /** When the finished answer reached Slack. */
  answerAt?: number;
  /** Set when the message ended in anything but the expected answer. */
  failure?: string;
  served: Served[];
}

export type UpstreamsRequest =
  | { id: number; type: 'reset' }
  | { id: number; type: 'connect'; identifiers: string[] }
  | { id: number; type: 'wave'; port: number; messages: Outgoing[]; timeoutMs: number };

export type UpstreamsReply =
  | { id: number; type: 'reset'; env: Record<string, string>; teamId: string }
  | { id: number; type: 'connect' }
  | { id: number; type: 'wave'; delivered: Delivered[] }
  | { id: number; type: 'error'; error: string };

export interface QueueWait {
  /** The work queue's key: team and user. */
  key: string;
  start: number;
  end: number;
}

export type BotRequest = { id: number; type: 'begin' } | { id: number; type: 'end' } | { id: number; type: 'memory' };

export interface BotReport {
  id: number;
  error?: string;
  /** CPU time of the whole process (all threads: GC helpers, libuv pool) since `begin`. */
  processCpuMs?: number;
  /** CPU time of the main thread (the event loop) since `begin`. */
  threadCpuMs?: number;
  /** Event-loop delay since `begin` (monitorEventLoopDelay, 10 ms resolution). */
  loopDelay?: { p50: number; p99: number; max: number };
  /** Waits for a run slot since `begin`. */
  waits?: QueueWait[];
  /** The most agent runs in flight at once since `begin`. */
  peakRunning?: number;
  heapUsed?: number;
  heapTotal?: number;
  external?: number;
  rss?: number;
  /** Live objects of the kinds a run makes, and active handles by kind (after a full GC). */
  objects?: Record<string, number>;
}

export const SIGNING_SECRET = 'bench-signing-secret';
export const MODEL_KEY = 'sk-bench';
/** What the scripted model's answer starts with, so the load generator knows an answer when it sees one. */
export const ANSWER_MARK = 'John Smith';
