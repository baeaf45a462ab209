import { describe, expect, it } from 'vitest';
import { createTurnTaker } from '../../src/delivery/turns.ts';

/** Resolves after the check phase of the loop's current turn (an immediate queued now runs in it). */
const endOfTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('turn taker', () => {
  // Between two turns' check phases the loop polls its sockets: that is where a burst's other requests get read.
  it('lets one waiting caller go per turn of the event loop, in order', async () => {
    const nextTurn = createTurnTaker();
    const released: string[] = [];
    for (const name of ['a', 'b', 'c']) void nextTurn().then(() => released.push(name));
    expect(released).toEqual([]);
    await endOfTurn();
    expect(released).toEqual(['a']);
    await endOfTurn();
    expect(released).toEqual(['a', 'b']);
    await endOfTurn();
    expect(released).toEqual(['a', 'b', 'c']);
  });

  it('starts again at once after going idle', async () => {
    const nextTurn = createTurnTaker();
    await nextTurn();
    const released: string[] = [];
    void nextTurn().then(() => released.push('later'));
    await endOfTurn();
    expect(released).toEqual(['later']);
  });
});

describe('turn taker: later()', () => {
  it('lets heavy work go only once no new message waits to start, one per turn too', async () => {
    const nextTurn = createTurnTaker();
    const released: string[] = [];
    void nextTurn.later().then(() => released.push('run 1'));
    void nextTurn().then(() => released.push('start a'));
    void nextTurn.later().then(() => released.push('run 2'));
    void nextTurn().then(() => released.push('start b'));
    for (let i = 0; i < 4; i++) await endOfTurn();
    expect(released).toEqual(['start a', 'start b', 'run 1', 'run 2']);
  });
});
