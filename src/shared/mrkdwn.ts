import { escapeControl, escapeMrkdwn, readableMentions, safeLink, safeMarkdownLink } from './escape.ts';

/** Every progress message starts so; thread history skips such messages. */
export const WORKING_PREFIX = ':hourglass_flowing_sand:';

/** Marks where a link was taken out while the text around it is escaped; removed from the input beforehand. */
const HOLE = '\u0000';

/**
 * The model's answer as Slack mrkdwn. Everything it wrote is escaped first (so no `<!channel>` or `<@U…>` it was
 * steered into writing can ping anyone), then its links are rebuilt with `safeLink` and the common Markdown
 * slips are converted. Code spans are escaped but otherwise left alone.
 */
export function toSlackMrkdwn(text: string): string {
  return sanitize(text, safeLink, (prose) =>
    prose
      .replace(/\*\*(.+?)\*\*/g, '*$1*')
      .replace(/__(.+?)__/g, '*$1*')
      .replace(/^#{1,6}\s+(.+)$/gm, '*$1*')
      .replace(/^(\s*)[-*]\s+/gm, '$1• '),
  );
}

/**
 * The model's answer as Markdown for a streamed message (`markdown_text`): the same escaping and link checks as
 * `toSlackMrkdwn`, but its Markdown is left as Markdown, which is what Slack renders there.
 */
export function toSafeMarkdown(text: string): string {
  return sanitize(text, safeMarkdownLink, (prose) => prose);
}

function sanitize(
  text: string,
  link: (url: string, label?: string) => string,
  format: (escapedProse: string) => string,
): string {
  return text
    .replaceAll(HOLE, '')
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) => (i % 2 === 1 ? escapeControl(part) : prose(part, link, format)))
    .join('');
}

function prose(text: string, link: (url: string, label?: string) => string, format: (p: string) => string): string {
  const links: string[] = [];
  const hold = (made: string) => `${HOLE}${links.push(made) - 1}${HOLE}`;
  const held = text
    // Markdown links, then the Slack links the instructions ask for; a non-web URL stays plain text.
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (_whole, label: string, url: string) => hold(link(url, label)))
    .replace(/<(https?:\/\/[^\s<>|]+)(?:\|([^<>\n]*))?>/gi, (_whole, url: string, label?: string) =>
      hold(link(url, label)),
    );
  return format(escapeMrkdwn(readableMentions(held))).replace(
    new RegExp(`${HOLE}(\\d+)${HOLE}`, 'g'),
    (_whole, i: string) => links[Number(i)] ?? '',
  );
}

/** A time Slack renders in each reader's own time zone. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${new Date(ms).toISOString()}>`;
}
