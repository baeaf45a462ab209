import { describe, expect, it } from 'vitest';
import { snoozeUntil } from '../../src/conversation-cards/snooze.ts';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe("snooze times, in the clicker's time zone", () => {
  it('1 hour is an hour from now, wherever the clicker is', () => {
    const now = at('2026-12-07T22:30:15Z');
    expect(snoozeUntil({ choice: 'hour', nowMs: now, timeZone: 'Asia/Tokyo' })).toBe(now + 3_600_000);
  });

  it('tomorrow 9:00 is the next calendar day on the clicker’s own wall clock', () => {
    const now = at('2026-12-07T22:30:00Z');
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: now, timeZone: 'America/Los_Angeles' }))).toBe(
      '2026-12-08T17:00:00.000Z',
    );
    // Already Tuesday morning in Tokyo.
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: now, timeZone: 'Asia/Tokyo' }))).toBe(
      '2026-12-09T00:00:00.000Z',
    );
    // Half-hour zones, and the end of a year.
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: at('2026-12-31T20:00:00Z'), timeZone: 'Asia/Kolkata' }))).toBe(
      '2027-01-02T03:30:00.000Z',
    );
  });

  it('follows daylight saving time: 9:00 the morning after the clocks change', () => {
    // Berlin moves to summer time in the night to Sunday 29 March 2026.
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: at('2026-03-28T12:00:00Z'), timeZone: 'Europe/Berlin' }))).toBe(
      '2026-03-29T07:00:00.000Z',
    );
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: at('2026-03-27T12:00:00Z'), timeZone: 'Europe/Berlin' }))).toBe(
      '2026-03-28T08:00:00.000Z',
    );
  });

  it('next Monday is the coming Monday, a week on when it is Monday already', () => {
    // Sunday 13 December in New York.
    expect(
      iso(snoozeUntil({ choice: 'monday', nowMs: at('2026-12-13T15:00:00Z'), timeZone: 'America/New_York' })),
    ).toBe('2026-12-14T14:00:00.000Z');
    // Monday 14 December, 10:00 in New York.
    expect(
      iso(snoozeUntil({ choice: 'monday', nowMs: at('2026-12-14T15:00:00Z'), timeZone: 'America/New_York' })),
    ).toBe('2026-12-21T14:00:00.000Z');
  });

  it('takes UTC when Slack gives no time zone, or one it does not know', () => {
    const now = at('2026-12-07T22:30:00Z');
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: now }))).toBe('2026-12-08T09:00:00.000Z');
    expect(iso(snoozeUntil({ choice: 'tomorrow', nowMs: now, timeZone: 'Mars/Olympus' }))).toBe(
      '2026-12-08T09:00:00.000Z',
    );
  });
});
