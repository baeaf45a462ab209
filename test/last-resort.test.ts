import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { exitOnEscapedErrors } from '../src/last-resort.ts';
import { createLogger } from '../src/logger.ts';

function setup() {
  const lines: Array<Record<string, unknown>> = [];
  const exits: number[] = [];
  const events = Object.assign(new EventEmitter(), { exit: (code: number) => void exits.push(code) });
  const logger = createLogger({
    level: 'info',
    secrets: ['xoxb-secret-token-123'],
    write: (line) => void lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  const activity = { state: 'ready', runsInFlight: 1, runsWaiting: 0, conversations: ['C042:1700000000.000100'] };
  exitOnEscapedErrors({ process: events, logger, activity: () => activity });
  return { events, lines, exits };
}

describe('the last line of defence', () => {
  it('logs an uncaught exception with what was running, without secrets, and exits 1 at once', () => {
    const { events, lines, exits } = setup();
    events.emit('uncaughtException', new Error('boom with xoxb-secret-token-123 inside'), 'uncaughtException');
    expect(exits).toEqual([1]);
    expect(lines).toHaveLength(1);
    const line = lines[0] as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'error',
      origin: 'uncaughtException',
      running: { state: 'ready', runsInFlight: 1, conversations: ['C042:1700000000.000100'] },
    });
    expect(String(line.msg)).toContain('exiting');
    expect(JSON.stringify(line)).not.toContain('xoxb-secret-token-123');
    expect(JSON.stringify(line)).toContain('boom with [redacted] inside');
  });

  it('treats an unhandled rejection the same way, whatever was rejected', () => {
    const { events, lines, exits } = setup();
    events.emit('unhandledRejection', 'not an Error');
    expect(exits).toEqual([1]);
    expect(lines[0]).toMatchObject({ level: 'error', reason: 'not an Error', running: { runsInFlight: 1 } });
  });

  it('exits once when a second error escapes while the first is being reported', () => {
    const { events, lines, exits } = setup();
    events.emit('uncaughtException', new Error('first'), 'uncaughtException');
    events.emit('unhandledRejection', new Error('second'));
    expect(exits).toEqual([1]);
    expect(lines).toHaveLength(1);
  });
});
