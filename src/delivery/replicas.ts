import { setTimeout as sleep } from 'node:timers/promises';
import { type Fence, UNFENCED } from '../db/fence.ts';
import type { Sql } from '../db/sql.ts';
import type { Logger } from '../logger.ts';

/** What runs on one process at a time (the leader): recovery sweeps, pruning, the watch poller. */
export interface LeaderDuties {
  /**
   * This process became the leader: start the background work. Its claims check `fence` (the lead is still this
   * process's, with the epoch it was taken with).
   */
  lead(fence: Fence): void;
  /** It stopped being the leader (or is stopping): stop the background work and wait for it. */
  stepDown(): Promise<void>;
  /** Runs on the leader after each heartbeat, once every other process has had a full timeout to heartbeat. */
  sweep(aliveSince: number): Promise<void>;
  /** Stop requests written by other processes since the last heartbeat (checked on every process). */
  stops(requests: StopRequest[]): void;
  /**
   * Another process took this one for dead (it was paused or cut off from the database for longer than the
   * timeout) and reported its work as interrupted: it must not write anything more.
   */
  fenced(): void;
}

export interface TurnLease {
  /**
   * Whether the lease is still this turn's (fencing): false once the process was taken for dead and another took
   * the conversation over; then nothing more may be written for this turn.
   */
  holds(): Promise<boolean>;
  release(): Promise<void>;
}

export interface StopRequest {
  channel: string;
  threadTs: string;
  requestedAt: number;
}

/**
 * This process among the bot's processes on one database. With PostgreSQL, each heartbeats into `replicas`; one
 * holds the leader lease (an epoch that grows with each new holder); a process whose heartbeat is older than the
 * timeout is gone, and the leader reports its work as interrupted. With SQLite there is one process: it leads from
 * the start, and every earlier process is gone.
 */
export interface Replica {
  readonly id: string;
  /** Writes this process's row (with SQLite, after removing every earlier process's). */
  join(): Promise<void>;
  /** Starts heartbeating (PostgreSQL) and taking the lead when it is free; resolves after the first heartbeat. */
  start(duties: LeaderDuties): Promise<void>;
  /** A process that has not heartbeaten since this time is gone. */
  aliveSince(): number;
  /**
   * Waits until this message may run across all processes: no older message of its thread is unfinished on
   * another process, and the conversation's lease (renewed with each heartbeat) is this process's. Within a
   * process the work queue already orders a conversation's turns.
   */
  takeTurn(
    conversation: string,
    message: { channel: string; threadTs: string; ts: string },
    onWait?: () => void,
  ): Promise<TurnLease>;
  /** Asks whichever process runs the thread's turn to stop it (Stop pressed on another process). */
  requestStop(thread: { channel: string; threadTs: string }): Promise<void>;
  /** Stops heartbeating, hands the lead on at once, and removes this process's row (its leftovers are swept). */
  leave(): Promise<void>;
}

export interface ReplicaOptions {
  sql: Sql;
  id: string;
  /** One process (SQLite): no heartbeats, always the leader. */
  single: boolean;
  /** How long without a heartbeat before a process counts as gone; the leader lease lasts as long. */
  timeoutMs: number;
  heartbeatMs: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now: () => number;
  /** Runs `tick` every `ms` until cancelled; tests pass one whose ticks they run themselves. */
  every?: (tick: () => Promise<void>, ms: number) => () => void;
}

const everyInterval = (tick: () => Promise<void>, ms: number): (() => void) => {
  const timer = setInterval(tick, ms);
  // The heartbeat alone must not keep the process alive.
  timer.unref();
  return () => clearInterval(timer);
};

const LEADER = 'leader';

const SQL = {
  join: `INSERT INTO replicas (id, started_at, heartbeat_at) VALUES (?, ?, ?)`,
  forgetOthers: 'DELETE FROM replicas WHERE id != ?',
  // Fails (0 rows) once the leader has removed this process's row: it was taken for dead.
  beat: 'UPDATE replicas SET heartbeat_at = ? WHERE id = ?',
  lead: `INSERT INTO leases (name, owner, epoch, lease_until) VALUES (?, ?, 1, ?)
     ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until,
       epoch = CASE WHEN leases.owner = excluded.owner THEN leases.epoch ELSE leases.epoch + 1 END
     WHERE leases.owner = excluded.owner OR leases.lease_until < ?
     RETURNING epoch`,
  resign: 'UPDATE leases SET lease_until = 0 WHERE name = ? AND owner = ?',
  renewTurns: `UPDATE leases SET lease_until = ? WHERE owner = ? AND name LIKE 'turn:%'`,
  olderElsewhere: `SELECT 1 AS older FROM inbox WHERE channel = ? AND thread_ts = ? AND status = 'running' AND ts < ?
     AND (owner IS NULL OR owner != ?) LIMIT 1`,
  holds: 'SELECT 1 AS held FROM leases WHERE name = ? AND owner = ? AND epoch = ? AND lease_until >= ?',
  // No time check: a lapsed lead that nobody took over is still fenced by its epoch. FOR SHARE keeps another process
  // from taking the lead until the claim's transaction ends.
  holdsLead: {
    sqlite: 'SELECT 1 AS held FROM leases WHERE name = ? AND owner = ? AND epoch = ?',
    postgres: 'SELECT 1 AS held FROM leases WHERE name = ? AND owner = ? AND epoch = ? FOR SHARE',
  },
  releaseTurn: 'DELETE FROM leases WHERE name = ? AND owner = ? AND epoch = ?',
  buryDead: 'DELETE FROM replicas WHERE heartbeat_at < ?',
  leave: 'DELETE FROM replicas WHERE id = ?',
  requestStop: `INSERT INTO run_stops (channel, thread_ts, requested_at) VALUES (?, ?, ?)
     ON CONFLICT (channel, thread_ts) DO UPDATE SET requested_at = excluded.requested_at`,
  stops: 'SELECT channel, thread_ts, requested_at FROM run_stops WHERE requested_at > ?',
  pruneStops: 'DELETE FROM run_stops WHERE requested_at < ?',
} as const;

export function createReplica(options: ReplicaOptions): Replica {
  const { sql, id, logger, now } = options;
  let joinedAt = 0;
  let cancelTicks = () => {};
  let beating: Promise<void> | undefined;
  let leading = false;
  let left = false;
  /** Since when this process has heartbeaten without a gap; a sweep waits for a full timeout of it. */
  let healthySince: number | undefined;
  let stopsSeenUntil = 0;
  let stepDown: () => Promise<void> = async () => {};

  async function beat(duties: LeaderDuties): Promise<void> {
    const at = now();
    let epoch: number | undefined;
    try {
      if ((await sql.run(SQL.beat, [at, id])) === 0) {
        logger.error('Another process took this one for dead and reported its work as interrupted; stopping', { id });
        left = true;
        cancelTicks();
        duties.fenced();
        return;
      }
      healthySince ??= at;
      await sql.run(SQL.renewTurns, [at + options.timeoutMs, id]);
      const rows = await sql.query<{ epoch: number | string }>(SQL.lead, [LEADER, id, at + options.timeoutMs, at]);
      epoch = rows[0] === undefined ? undefined : Number(rows[0].epoch);
      const stops = await sql.query<{ channel: string; thread_ts: string; requested_at: number | string }>(SQL.stops, [
        stopsSeenUntil,
      ]);
      if (stops.length > 0) {
        stopsSeenUntil = Math.max(stopsSeenUntil, ...stops.map((s) => Number(s.requested_at)));
        duties.stops(
          stops.map((s) => ({ channel: s.channel, threadTs: s.thread_ts, requestedAt: Number(s.requested_at) })),
        );
      }
    } catch (error) {
      // Cut off from the database: after a timeout of this, others may take this process for dead.
      healthySince = undefined;
      logger.warn('Heartbeat failed', error);
      return;
    }
    if (left) return;
    if (epoch !== undefined && !leading) {
      leading = true;
      logger.info('Leading the background work', { id, epoch });
      const held = epoch;
      duties.lead({ holds: async (within) => (await within.get(SQL.holdsLead, [LEADER, id, held])) !== undefined });
    } else if (epoch === undefined && leading) {
      leading = false;
      logger.info('No longer leading the background work', { id });
      await duties.stepDown();
    }
    if (leading && healthySince !== undefined && at - healthySince >= options.timeoutMs) {
      const aliveSince = at - options.timeoutMs;
      try {
        // First the dead are removed (a paused process that wakes finds its row gone and stops), then their work
        // is reported.
        await sql.run(SQL.buryDead, [aliveSince]);
        await duties.sweep(aliveSince);
        await sql.run(SQL.pruneStops, [at - 10 * options.timeoutMs]);
      } catch (error) {
        logger.warn('Sweeping the work of stopped processes failed; it is tried again', error);
      }
    }
  }

  return {
    id,
    async join() {
      joinedAt = now();
      if (options.single) await sql.run(SQL.forgetOthers, [id]);
      await sql.run(SQL.join, [id, joinedAt, joinedAt]);
      // Stop requests older than this process concern runs of earlier processes.
      stopsSeenUntil = joinedAt;
    },
    async start(duties) {
      stepDown = () => duties.stepDown();
      if (options.single) {
        leading = true;
        duties.lead(UNFENCED);
        beating = duties
          .sweep(joinedAt)
          .catch((error: unknown) => logger.error('Recovering from the last run failed', error));
        return;
      }
      const tick = async () => {
        if (beating || left) return;
        beating = beat(duties).finally(() => {
          beating = undefined;
        });
        await beating;
      };
      cancelTicks = (options.every ?? everyInterval)(tick, options.heartbeatMs);
      await tick();
    },
    async takeTurn(conversation, message, onWait) {
      if (options.single) return { holds: async () => true, release: async () => {} };
      const name = `turn:${conversation}`;
      for (let attempt = 0; ; attempt++) {
        const at = now();
        const older = await sql.get(SQL.olderElsewhere, [message.channel, message.threadTs, message.ts, id]);
        const rows = older
          ? []
          : await sql.query<{ epoch: number | string }>(SQL.lead, [name, id, at + options.timeoutMs, at]);
        const epoch = rows[0] === undefined ? undefined : Number(rows[0].epoch);
        if (epoch !== undefined) {
          return {
            holds: async () => (await sql.get(SQL.holds, [name, id, epoch, now()])) !== undefined,
            release: async () => {
              await sql.run(SQL.releaseTurn, [name, id, epoch]);
            },
          };
        }
        // Another process runs this conversation's turn (or an older message of it waits there): look again soon.
        if (attempt === 0) onWait?.();
        await sleep(Math.min(50 * 2 ** attempt, 500));
      }
    },
    aliveSince: () => (options.single ? joinedAt : now() - options.timeoutMs),
    async requestStop(thread) {
      // One process: the run, if any, was here.
      if (options.single) return;
      await sql.run(SQL.requestStop, [thread.channel, thread.threadTs, now()]);
    },
    async leave() {
      if (left) return;
      left = true;
      cancelTicks();
      await beating;
      if (leading) {
        leading = false;
        await stepDown();
      }
      await sql
        .run(SQL.resign, [LEADER, id])
        .catch((error: unknown) => logger.warn('Resigning the lead failed', error));
      await sql.run(SQL.leave, [id]).catch((error: unknown) => logger.warn('Leaving failed', error));
    },
  };
}
