/** The snooze choices a card offers; each is a time in the clicker's own time zone. */
export const SNOOZE_CHOICES = {
  hour: '1 hour',
  tomorrow: 'Tomorrow 9:00',
  monday: 'Next Monday 9:00',
} as const;
export type SnoozeChoice = keyof typeof SNOOZE_CHOICES;

export function isSnoozeChoice(value: string): value is SnoozeChoice {
  return Object.hasOwn(SNOOZE_CHOICES, value);
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

/**
 * When a snooze chosen at `nowMs` ends (ms since the epoch): an hour from now, or 9:00 on the next day (or the next
 * Monday) as the wall clock reads in `timeZone` (an IANA name, as Slack's users.info gives it; UTC when unknown).
 */
export function snoozeUntil(params: { choice: SnoozeChoice; nowMs: number; timeZone?: string }): number {
  const { choice, nowMs } = params;
  if (choice === 'hour') return nowMs + HOUR_MS;
  const zone = validZone(params.timeZone);
  const today = wallClock(nowMs, zone);
  // Days ahead: tomorrow is 1; next Monday is 1..7 (a Monday's next Monday is a week away).
  const ahead = choice === 'tomorrow' ? 1 : (8 - today.weekday) % 7 || 7;
  // The calendar date `ahead` days on, computed on a UTC date so month and year ends roll over.
  const date = new Date(Date.UTC(today.year, today.month - 1, today.day) + ahead * DAY_MS);
  return instantAt(
    { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate(), hour: 9 },
    zone,
  );
}

function validZone(timeZone: string | undefined): string {
  if (!timeZone) return 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  /** 1 = Monday … 7 = Sunday. */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function wallClock(ms: number, timeZone: string): WallClock {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return {
    year: Number(get('year')),
    month: Number(get('month')),
    day: Number(get('day')),
    hour: Number(get('hour')),
    minute: Number(get('minute')),
    weekday: WEEKDAYS.indexOf(get('weekday')) + 1,
  };
}

/** The instant the wall clock in `timeZone` shows this hour on this date (the zone's offset found by two guesses). */
function instantAt(local: { year: number; month: number; day: number; hour: number }, timeZone: string): number {
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour);
  let guess = asUtc;
  for (let i = 0; i < 2; i++) {
    const seen = wallClock(guess, timeZone);
    const shown = Date.UTC(seen.year, seen.month - 1, seen.day, seen.hour, seen.minute);
    guess += asUtc - shown;
  }
  return guess;
}
