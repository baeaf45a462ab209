// What can happen to the bot's HTTP/2 connection to Scalekit, on demand: GOAWAY (a restart, a load balancer dropping
// an idle connection), a dropped socket, a refused port, an RPC that never answers. The fault-injection tests drive
// these through the real SDK.

import { once } from 'node:events';
import { type Http2Server, constants as h2, type ServerHttp2Session } from 'node:http2';
import type { Server, Socket } from 'node:net';
import type { ScalekitFaults } from './types.ts';

export interface FaultTargets {
  server: Server;
  http2: Http2Server;
  sockets: ReadonlySet<Socket>;
  /** The port the emulator listens on, to listen on again after refusing. */
  port: () => number;
  /** Invalidates every access token handed out, as a restarted Scalekit would not know them. */
  forgetTokens: () => void;
  /** Aborts when the emulator closes: held and hung calls end then. */
  closing: AbortSignal;
}

interface Hold {
  held: number;
  released: boolean;
  release: Promise<void>;
  waiters: Set<() => void>;
}

export class ConnectionFaults implements ScalekitFaults {
  connectionsOpened = 0;
  goAwayWhenIdle = false;
  readonly #targets: FaultTargets;
  readonly #sessions = new Set<ServerHttp2Session>();
  readonly #drained = new Set<ServerHttp2Session>();
  readonly #hangs = new Map<string, number>();
  #goAwayAtToken = false;
  readonly #holds = new Map<string, Hold>();

  constructor(targets: FaultTargets) {
    this.#targets = targets;
    targets.http2.on('session', (session: ServerHttp2Session) => {
      this.connectionsOpened += 1;
      this.#sessions.add(session);
      // A client that resets the connection must not crash the emulator.
      session.on('error', () => {});
      session.once('close', () => {
        this.#sessions.delete(session);
        this.#drained.delete(session);
      });
      let open = 0;
      session.on('stream', (stream) => {
        open += 1;
        stream.once('close', () => {
          open -= 1;
          if (open > 0 || !this.goAwayWhenIdle || this.#drained.has(session) || session.destroyed) return;
          this.#drained.add(session);
          session.goaway(h2.NGHTTP2_NO_ERROR);
        });
      });
    });
  }

  async goAway(): Promise<void> {
    for (const session of this.#sessions) {
      if (this.#drained.has(session) || session.destroyed) continue;
      this.#drained.add(session);
      session.goaway(h2.NGHTTP2_NO_ERROR);
    }
    // The frames are on the wire once the sessions have flushed what they queued, before the loop's next turn.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  restart(): void {
    this.#goAwayAtToken = true;
    this.#targets.forgetTokens();
  }

  /** A restarted Scalekit's first token request: GOAWAY goes out on the old connections as the token does. */
  beforeToken(): void {
    if (!this.#goAwayAtToken) return;
    this.#goAwayAtToken = false;
    void this.goAway();
  }

  closeDrained(): void {
    for (const session of this.#drained) session.destroy();
  }

  dropConnections(): void {
    for (const socket of this.#targets.sockets) socket.resetAndDestroy();
  }

  async refuseConnections(): Promise<void> {
    if (!this.#targets.server.listening) return;
    const closed = new Promise<void>((resolve) => this.#targets.server.close(() => resolve()));
    // Open connections go too, or close() would wait for them: a stopped Scalekit holds no sockets.
    this.dropConnections();
    await closed;
  }

  async acceptConnections(): Promise<void> {
    const { server } = this.#targets;
    if (server.listening) return;
    server.listen(this.#targets.port(), '127.0.0.1');
    await once(server, 'listening');
  }

  hangNext(rpc: string): void {
    this.#hangs.set(rpc, (this.#hangs.get(rpc) ?? 0) + 1);
  }

  hold(rpc: string): { release(): void; waitForHeld(count?: number): Promise<void> } {
    let release = () => {};
    const hold: Hold = {
      held: 0,
      released: false,
      release: new Promise<void>((resolve) => {
        release = resolve;
      }),
      waiters: new Set(),
    };
    this.#holds.set(rpc, hold);
    return {
      release: () => {
        hold.released = true;
        if (this.#holds.get(rpc) === hold) this.#holds.delete(rpc);
        release();
      },
      waitForHeld: (count = 1) =>
        new Promise<void>((resolve) => {
          const check = () => {
            if (hold.held < count) return;
            hold.waiters.delete(check);
            resolve();
          };
          hold.waiters.add(check);
          check();
        }),
    };
  }

  /** Runs before an RPC's handler: a hung call waits until the client or the emulator gives up, a held one until released. */
  async beforeRpc(rpc: string, signal: AbortSignal): Promise<void> {
    const ended = AbortSignal.any([signal, this.#targets.closing]);
    const hangs = this.#hangs.get(rpc) ?? 0;
    if (hangs > 0) {
      this.#hangs.set(rpc, hangs - 1);
      await new Promise<never>((_, reject) => {
        if (ended.aborted) reject(ended.reason);
        ended.addEventListener('abort', () => reject(ended.reason), { once: true });
      });
    }
    const hold = this.#holds.get(rpc);
    if (hold && !hold.released) {
      hold.held += 1;
      for (const waiter of [...hold.waiters]) waiter();
      await hold.release;
      // A call whose client went away meanwhile is not carried out: its connection is gone.
      ended.throwIfAborted();
    }
  }
}
