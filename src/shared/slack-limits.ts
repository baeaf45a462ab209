/** Slack's limits for a plan: a task's title, and how many tasks one message holds. */
export const MAX_TASK_TITLE = 256;
export const MAX_TASKS = 50;

/** At most `max` characters, ending in "…" when something was cut; never half of a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}
