/** Slack's limits for a plan: a task's title, and how many tasks one message holds. */
export const MAX_TASK_TITLE = 256;
export const MAX_TASKS = 50;

/** At most `max` characters, ending in "…" when something was cut; never half of a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

const PREVIEW_LINES = 3;
const PREVIEW_CHARS = 300;

/** What a notice quotes of someone's message: its first three non-blank lines, at most 300 characters. */
export function preview(body: string): string {
  const lines = body
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const shown = lines.slice(0, PREVIEW_LINES).join('\n');
  const clipped = shown.length > PREVIEW_CHARS ? `${shown.slice(0, PREVIEW_CHARS - 1)}…` : shown;
  return lines.length > PREVIEW_LINES && !clipped.endsWith('…') ? `${clipped}\n…` : clipped;
}
