import { escapeHtml } from '../../shared/escape.ts';

/** An http(s) URL fit for an href, or undefined (javascript:, data:, relative, malformed). */
export function webHref(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** A link that opens in a new tab and tells the target nothing about the playground. */
export function anchor(href: string, labelHtml: string): string {
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${labelHtml}</a>`;
}

/** Slack escapes only these three in message text; every other `&…;` is shown as written. */
export function decodeSlackEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_whole, name: string) => ({ amp: '&', lt: '<', gt: '>' })[name] ?? '');
}

const EMOJI: Record<string, string> = {
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  x: '❌',
  warning: '⚠️',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  no_entry_sign: '🚫',
  grey_question: '❔',
  question: '❓',
  wave: '👋',
  robot_face: '🤖',
  tada: '🎉',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  '-1': '👎',
  link: '🔗',
  lock: '🔒',
  memo: '📝',
  mag: '🔍',
  email: '📧',
  label: '🏷️',
  bulb: '💡',
  information_source: 'ℹ️',
  rotating_light: '🚨',
  eyes: '👀',
};

/** `:white_check_mark:` and friends as emoji; unknown names stay as written. */
export function emojify(escapedHtml: string): string {
  return escapedHtml.replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole);
}
