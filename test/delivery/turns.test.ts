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
