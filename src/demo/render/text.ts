import { escapeHtml } from '../../shared/escape.ts';
import { anchor, decodeSlackEntities, emojify, webHref } from './html.ts';

/** What the renderers need to know about the workspace: people's names for `<@U…>` mentions. */
export interface RenderContext {
  userName(id: string): string | undefined;
}

/** Marks a spot where finished HTML waits while the text around it is escaped; removed from the input first. */
const HOLE = '\u0001';

interface Held {
  hold(html: string): string;
  restore(text: string): string;
}

function holder(): Held {
  const held: string[] = [];
  return {
    hold: (html) => `${HOLE}${held.push(html) - 1}${HOLE}`,
    restore: (text) => text.replace(new RegExp(`${HOLE}(\\d+)${HOLE}`, 'g'), (_w, i: string) => held[Number(i)] ?? ''),
  };
}

/** Untrusted text as the reader sees it: Slack's three entities decoded once, then escaped for HTML. */
function plain(text: string): string {
  return escapeHtml(decodeSlackEntities(text));
}

/**
 * Slack mrkdwn as safe HTML: `*bold*`, `_italic_`, `~strike~`, `` `code` ``, code blocks, `>` quotes, `<url|label>`
 * links (http(s) only; anything else stays text), mentions, dates and a few emoji. Nothing in the input can add
 * markup of its own: every character of text is escaped, and only the renderer writes tags.
 */
export function mrkdwnToHtml(text: string, context: RenderContext): string {
  const { hold, restore } = holder();
  const source = text
    .replaceAll(HOLE, '')
    .replace(/```([\s\S]*?)```/g, (_w, code: string) => hold(`<pre>${plain(code.replace(/^\n/, ''))}</pre>`))
    .replace(/`([^`\n]+)`/g, (_w, code: string) => hold(`<code>${plain(code)}</code>`))
    .replace(/<([^<>\n]*)>/g, (_w, token: string) => hold(slackToken(token, context)));
  // `>>>` quotes the rest of the message, `>` one line: literal `>`, since text from elsewhere arrives as `&gt;`.
  const lines: Array<{ quoted: boolean; text: string }> = [];
  let quoteRest = false;
  for (const line of source.split('\n')) {
    if (!quoteRest && line.startsWith('>>>')) {
      quoteRest = true;
      lines.push({ quoted: true, text: line.slice(3).trimStart() });
    } else if (!quoteRest && line.startsWith('>')) lines.push({ quoted: true, text: line.slice(1).trimStart() });
    else lines.push({ quoted: quoteRest, text: line });
  }
  let html = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as { quoted: boolean; text: string };
    const rendered = inlineMrkdwn(line.text);
    if (!line.quoted) {
      html += `${rendered}${i < lines.length - 1 && !lines[i + 1]?.quoted ? '<br>' : ''}`;
      continue;
    }
    const quote: string[] = [rendered];
    while (lines[i + 1]?.quoted) quote.push(inlineMrkdwn((lines[++i] as { text: string }).text));
    html += `<blockquote>${quote.join('<br>')}</blockquote>`;
  }
  return restore(html);
}

function inlineMrkdwn(text: string): string {
  return emojify(plain(text))
    .replace(/(^|[^\p{L}\p{N}*])\*(?!\s)([^*\n]+?)\*(?![\p{L}\p{N}*])/gu, '$1<b>$2</b>')
    .replace(/(^|[^\p{L}\p{N}_])_(?!\s)([^_\n]+?)_(?![\p{L}\p{N}_])/gu, '$1<i>$2</i>')
    .replace(/(^|[^\p{L}\p{N}~])~(?!\s)([^~\n]+?)~(?![\p{L}\p{N}~])/gu, '$1<s>$2</s>');
}

/** `<…>` in mrkdwn: a link, a mention, a channel, a broadcast or a date; anything else is shown as text. */
function slackToken(token: string, context: RenderContext): string {
  const [target = '', ...rest] = token.split('|');
  const label = rest.join('|');
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `<span class="mention">@${escapeHtml(context.userName(id) ?? (decodeSlackEntities(label) || id))}</span>`;
  }
  if (target.startsWith('#')) return `<span class="mention">#${plain(label || target.slice(1))}</span>`;
  if (target.startsWith('!date^')) return `<time>${escapeHtml(slackDate(target, label))}</time>`;
  if (target.startsWith('!')) {
    const name = target.slice(1).split('^')[0] ?? '';
    return `<span class="mention">@${plain(['here', 'channel', 'everyone'].includes(name) ? name : label || name)}</span>`;
  }
  const href = webHref(decodeSlackEntities(target));
  if (!href) return plain(label || target);
  return anchor(href, label ? emojify(plain(label)) : escapeHtml(href));
}

/** `<!date^1700000000^{date_short_pretty} at {time}|fallback>` in UTC; the fallback when the time is unreadable. */
function slackDate(target: string, fallback: string): string {
  const seconds = Number(target.split('^')[1]);
  if (!Number.isFinite(seconds)) return decodeSlackEntities(fallback);
  const at = new Date(seconds * 1000);
  const day = at.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  const time = at.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });
  return `${day} at ${time} UTC`;
}

/**
 * A streamed answer's Markdown (`markdown_text`) as safe HTML: `**bold**`, `*italic*`/`_italic_`, code, code
 * blocks, `[label](url)` and bare http(s) links, `-` lists and `#` headings. The bot sends it with `&`, `<` and
 * `>` escaped, as in mrkdwn.
 */
export function markdownToHtml(text: string, context: RenderContext): string {
  const { hold, restore } = holder();
  const source = text
    .replaceAll(HOLE, '')
    .replace(/```[^\n]*\n?([\s\S]*?)```/g, (_w, code: string) => hold(`<pre>${plain(code)}</pre>`))
    .replace(/`([^`\n]+)`/g, (_w, code: string) => hold(`<code>${plain(code)}</code>`))
    .replace(/\[([^\]\n]+)\]\(([^)\s]+)\)/g, (whole, label: string, url: string) => {
      const href = webHref(decodeSlackEntities(url));
      return href ? hold(anchor(href, emojify(plain(label)))) : whole;
    })
    .replace(/https?:\/\/[^\s<>()]+[^\s<>().,;:!?'"]/g, (url) => {
      const href = webHref(decodeSlackEntities(url));
      return href ? hold(anchor(href, escapeHtml(href))) : url;
    })
    .replace(/<@([A-Z0-9]+)>/g, (_w, id: string) => hold(slackToken(`@${id}`, context)));
  const html = source
    .split('\n')
    .map((line) => {
      const heading = /^#{1,6}\s+(.*)$/.exec(line);
      if (heading) return `<b>${inlineMarkdown(heading[1] ?? '')}</b>`;
      const item = /^(\s*)[-*•]\s+(.*)$/.exec(line);
      if (item) return `<span class="bullet">• ${inlineMarkdown(item[2] ?? '')}</span>`;
      return inlineMarkdown(line);
    })
    .join('<br>');
  return restore(html);
}

function inlineMarkdown(text: string): string {
  return emojify(plain(text))
    .replace(/\*\*(?!\s)(.+?)\*\*/g, '<b>$1</b>')
    .replace(/__(?!\s)(.+?)__/g, '<b>$1</b>')
    .replace(/(^|[^\p{L}\p{N}*])\*(?!\s)([^*\n]+?)\*(?![\p{L}\p{N}*])/gu, '$1<i>$2</i>')
    .replace(/(^|[^\p{L}\p{N}_])_(?!\s)([^_\n]+?)_(?![\p{L}\p{N}_])/gu, '$1<i>$2</i>')
    .replace(/~~(?!\s)(.+?)~~/g, '<s>$1</s>');
}
