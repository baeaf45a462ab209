/** Every progress message starts so; thread history skips such messages. */
export const WORKING_PREFIX = ':hourglass_flowing_sand:';

/** Slack renders up to ~40k characters, but long messages read badly and get truncated in places; keep well below. */
const MAX_MESSAGE_CHARS = 3500;

/** Models slip into Markdown; Slack's mrkdwn differs. Convert the common cases, leave code spans alone. */
export function toSlackMrkdwn(text: string): string {
  return text
    .split(/(```[\s\S]*?```|`[^`\n]*`)/)
    .map((part, i) =>
      i % 2 === 1
        ? part
        : part
            .replace(/\*\*(.+?)\*\*/g, '*$1*')
            .replace(/__(.+?)__/g, '*$1*')
            .replace(/\[([^\]\n]+)\]\((https?:\/\/[^)\s]+)\)/g, '<$2|$1>')
            .replace(/^#{1,6}\s+(.+)$/gm, '*$1*')
            .replace(/^(\s*)[-*]\s+/gm, '$1• '),
    )
    .join('');
}

/** Splits a long answer into pieces Slack shows whole, at a paragraph break if it can, else a line or a space. */
export function splitMessage(text: string, limit = MAX_MESSAGE_CHARS): string[] {
  const chunks: string[] = [];
  // A break in the first half would leave a short message; at least 1, so a tiny limit still moves on.
  const half = Math.max(1, Math.floor(limit / 2));
  let rest = text.trim();
  while (rest.length > limit) {
    const window = rest.slice(0, limit);
    const at =
      [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find((i) => i >= half) ?? half;
    chunks.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest) chunks.push(rest);
  return chunks.length > 0 ? chunks : [''];
}

/** A time Slack renders in each reader's own time zone. */
export function slackDate(ms: number): string {
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} at {time}|${new Date(ms).toISOString()}>`;
}
