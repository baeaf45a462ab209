import { describe, expect, it } from 'vitest';
import { createWorkQueue, type QueueWait } from '../../src/delivery/work-queue.ts';
import { deferred } from '../helpers/deferred.ts';

/** Follows a promise so a test can ask whether it has settled yet. */
function watch<T>(promise: Promise<T>) {
  const seen = { settled: false };
  promise.then(
    () => {
      seen.settled = true;
    },
    () => {
      seen.settled = true;
    },
  );
  return seen;
}

/** A run whose teammate is its key: each key its own teammate, unless a test says otherwise. */
const run = (key: string, teammate = key) => ({ key, teammate });

/**
 * The queue is promise plumbing (a timer only while memory or a lowered limit holds runs back), so once the
 * macrotask queue turns, every continuation that could run has run: asserting "still pending" after this is
 * deterministic, not a timing guess.
 */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('work queue: one run at a time per key', () => {
  it('makes a second task with the same key wait for the first to release', async () => {
    const queue = createWorkQueue({ maxConcurrent: 5 });
    const releaseFirst = await queue.acquire(run('T1:U1'));
    const second = queue.acquire(run('T1:U1'));
    const seen = watch(second);

    expect(queue.running).toBe(1);
    expect(queue.waiting).toBe(1);
    await settle();
    expect(seen.settled).toBe(false);

    releaseFirst();
    const releaseSecond = await second;
    expect(queue.running).toBe(1);
    expect(queue.waiting).toBe(0);
    releaseSecond();
    expect(queue.running).toBe(0);
  });

  it('lets three tasks with one key through in the order they asked', async () => {
    const queue = createWorkQueue({ maxConcurrent: 5 });
    const order: string[] = [];
    const runs = ['a', 'b', 'c'].map(async (name) => {
      const release = await queue.acquire(run('T1:U1'));
      order.push(name);
      // Each task holds its turn across a macrotask, so an overtaking task would have its chance to get in.
      await settle();
      release();
    });
    await Promise.all(runs);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('does not hold up other keys', async () => {
    const queue = createWorkQueue({ maxConcurrent: 5 });
    await queue.acquire(run('T1:U1'));
    const other = await queue.acquire(run('T1:U2'));
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(0);
    other();
  });

  it('frees the key once the last holder releases, so the next task starts at once', async () => {
    const queue = createWorkQueue({ maxConcurrent: 5 });
    const first = await queue.acquire(run('T1:U1'));
    const second = queue.acquire(run('T1:U1'));
    first();
    (await second)();
    let queued = false;
    const third = await queue.acquire(run('T1:U1'), () => {
      queued = true;
    });
    expect(queued).toBe(false);
    expect(queue.running).toBe(1);
    third();
  });
});

describe('work queue: the global cap', () => {
  it('runs at most maxConcurrent tasks and admits waiters as slots free up, first come first served', async () => {
    const queue = createWorkQueue({ maxConcurrent: 2 });
    const a = await queue.acquire(run('a'));
    const b = await queue.acquire(run('b'));
    const c = queue.acquire(run('c'));
    const d = queue.acquire(run('d'));
    const seenC = watch(c);
    const seenD = watch(d);

    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(2);
    await settle();
    expect(seenC.settled).toBe(false);

    a();
    const releaseC = await c;
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(1);
    await settle();
    expect(seenD.settled).toBe(false);

    b();
    const releaseD = await d;
    expect(queue.running).toBe(2);
    expect(queue.waiting).toBe(0);
    releaseC();
    releaseD();
    expect(queue.running).toBe(0);
  });

  it('counts a same-key task that then finds the cap full as waiting until it has a slot', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    const first = await queue.acquire(run('T1:U1'));
    const sameKey = queue.acquire(run('T1:U1'));
    const otherKey = queue.acquire(run('T1:U2'));
    expect(queue.waiting).toBe(2);

    // The other key asked for a slot first, so it gets the one the first task gives back.
    first();
    const releaseOther = await otherKey;
    expect(queue.running).toBe(1);
    expect(queue.waiting).toBe(1);
    releaseOther();
    (await sameKey)();
    expect(queue.running).toBe(0);
    expect(queue.waiting).toBe(0);
  });
});

describe('work queue: onQueued', () => {
  it('is not called when the task can start at once', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    let calls = 0;
    const release = await queue.acquire(run('a'), () => calls++);
    expect(calls).toBe(0);
    release();
  });

  it('is called synchronously, before acquire resolves, when the key is busy', async () => {
    const queue = createWorkQueue({ maxConcurrent: 5 });
    const first = await queue.acquire(run('T1:U1'));
    let calls = 0;
    // The caller picks the text of its placeholder message right after calling acquire, without awaiting it.
    const second = queue.acquire(run('T1:U1'), () => calls++);
    expect(calls).toBe(1);
    first();
    (await second)();
    expect(calls).toBe(1);
  });

  it('is called when the global cap is full', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    const first = await queue.acquire(run('a'));
    let calls = 0;
    const second = queue.acquire(run('b'), () => calls++);
    expect(calls).toBe(1);
    first();
    (await second)();
  });
});

describe('work queue: release', () => {
  it('is idempotent: a second call frees neither a second slot nor the key again', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    const first = await queue.acquire(run('a'));
    const second = queue.acquire(run('b'));
    const third = queue.acquire(run('c'));
    const seenThird = watch(third);

    first();
    first();
    const releaseSecond = await second;
    expect(queue.running).toBe(1);
    expect(queue.waiting).toBe(1);
    await settle();
    expect(seenThird.settled).toBe(false);

    releaseSecond();
    const releaseThird = await third;
    releaseThird();
    releaseThird();
    expect(queue.running).toBe(0);
  });

  it('called again after the key has moved on frees no slot and lets no later task of that key in', async () => {
    const queue = createWorkQueue({ maxConcurrent: 5 });
    const first = await queue.acquire(run('k'));
    const second = queue.acquire(run('k'));
    first();
    const releaseSecond = await second;
    const third = queue.acquire(run('k'));
    const seenThird = watch(third);
    first();
    await settle();
    expect(seenThird.settled).toBe(false);
    expect(queue.running).toBe(1);
    releaseSecond();
    (await third)();
  });
});

describe('work queue: drain', () => {
  it('resolves true at once when nothing is tracked', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    await expect(queue.drain(60_000)).resolves.toBe(true);
  });

  it('resolves true when every tracked task has finished, including ones that failed', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    const ok = deferred<string>();
    const failing = deferred<string>();
    const trackedOk = queue.track(ok.promise);
    const trackedFailing = queue.track(failing.promise);
    trackedFailing.catch(() => {});
    const drained = queue.drain(60_000);
    const seen = watch(drained);

    ok.resolve('done');
    await settle();
    expect(seen.settled).toBe(false);

    failing.reject(new Error('boom'));
    await expect(drained).resolves.toBe(true);
    // track hands the task back unchanged.
    await expect(trackedOk).resolves.toBe('done');
    await expect(trackedFailing).rejects.toThrow('boom');
  });

  it('waits for a task tracked while it is already draining', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    const first = deferred();
    const late = deferred();
    queue.track(first.promise);
    const drained = queue.drain(60_000);
    const seen = watch(drained);
    queue.track(late.promise);

    first.resolve();
    await settle();
    expect(seen.settled).toBe(false);

    late.resolve();
    await expect(drained).resolves.toBe(true);
  });

  it('resolves false when the time runs out first', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    queue.track(new Promise(() => {}));
    await expect(queue.drain(1)).resolves.toBe(false);
  });

  it('forgets finished tasks, so a later drain does not wait for them', async () => {
    const queue = createWorkQueue({ maxConcurrent: 1 });
    const stuck = deferred();
    queue.track(stuck.promise);
    await expect(queue.drain(1)).resolves.toBe(false);
    stuck.resolve();
    await stuck.promise;
    await expect(queue.drain(60_000)).resolves.toBe(true);
  });
});

describe('work queue: fairness between teammates', () => {
  it("gives a free slot to the teammate with the fewest runs going, so one teammate's burst does not hold back others", async () => {
    const queue = createWorkQueue({ maxConcurrent: 2, memoryTight: () => false });
    const started: string[] = [];
    const hold = async (key: string, teammate: string) => {
      const release = await queue.acquire(run(key, teammate));
      started.push(key);
      return release;
    };
    // Alice fills both slots and has eight more threads waiting; Bob's one message comes after all of them.
    const first = await Promise.all([hold('a1', 'alice'), hold('a2', 'alice')]);
    const aliceMore = Array.from({ length: 8 }, (_, i) => hold(`a${i + 3}`, 'alice'));
    let bobAhead = -1;
    const bob = queue.acquire(run('b1', 'bob'), (wait) => {
      if (wait.reason === 'capacity') bobAhead = wait.ahead;
    });
    // Alice has two going and Bob none: Bob is next, not tenth.
    expect(bobAhead).toBe(0);
    first[0]?.();
    const releaseBob = await bob;
    expect(started).toEqual(['a1', 'a2']);
    releaseBob();
    first[1]?.();
    for (const more of aliceMore) (await more)();
    expect(started).toEqual(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10']);
    expect(queue.running).toBe(0);
  });

  it("tells a waiting run how many are ahead of it, counting the teammate's own earlier ones", async () => {
    const queue = createWorkQueue({ maxConcurrent: 1, memoryTight: () => false });
    const holder = await queue.acquire(run('x', 'xavier'));
    const ahead: number[] = [];
    const onQueued = (wait: QueueWait) => wait.reason === 'capacity' && ahead.push(wait.ahead);
    const waits = [
      queue.acquire(run('c1', 'carol'), onQueued),
      queue.acquire(run('c2', 'carol'), onQueued),
      queue.acquire(run('d1', 'dave'), onQueued),
    ];
    // Carol's second waits behind her first; Dave has nothing going, so only Carol's first (same share) is ahead.
    expect(ahead).toEqual([0, 1, 1]);
    holder();
    for (const w of waits) (await w)();
  });
});

describe("work queue: back-pressure from the model provider's 429s and from memory", () => {
  it('halves the runs allowed after a 429, counts a burst of them once, and grows back over time', async () => {
    const clock = { now: 0 };
    const queue = createWorkQueue({
      maxConcurrent: 8,
      now: () => clock.now,
      regrowPerSecond: 2,
      memoryTight: () => false,
    });
    const releases = await Promise.all(Array.from({ length: 8 }, (_, i) => queue.acquire(run(`k${i}`))));
    queue.rateLimited();
    queue.rateLimited();
    expect(queue.limit).toBe(4);
    // Four of the eight finish: the next waiter does not start while four are going.
    for (const release of releases.splice(0, 4)) release();
    const late = queue.acquire(run('late'));
    const seen = watch(late);
    await settle();
    expect(seen.settled).toBe(false);
    // A second later the limit has grown by two, and the waiter starts at the next look (no release needed).
    clock.now = 1000;
    expect(queue.limit).toBe(6);
    const releaseLate = await late;
    clock.now = 2000;
    queue.rateLimited();
    expect(queue.limit).toBe(2);
    clock.now = 5000;
    expect(queue.limit).toBe(8);
    releaseLate();
    for (const release of releases) release();
  });

  it('starts no new run while memory is tight (but always one), and resumes when it is not', async () => {
    let tight = true;
    const queue = createWorkQueue({ maxConcurrent: 10, memoryTight: () => tight, recheckMs: 5 });
    const first = await queue.acquire(run('a'));
    let ahead = -1;
    const second = queue.acquire(run('b'), (wait) => {
      if (wait.reason === 'capacity') ahead = wait.ahead;
    });
    expect(ahead).toBe(0);
    const seen = watch(second);
    await settle();
    expect(seen.settled).toBe(false);
    tight = false;
    (await second)();
    first();
    expect(queue.running).toBe(0);
  });
});
