/**
 * Text the bot did not write itself (the model's answers, Intercom data, what someone typed) reaches Slack only
 * through these functions. Slack's control characters are `&`, `<` and `>`: once they are escaped, `<!channel>`,
 * `<!here>`, `<!subteam^…>` and `<@U…>` are shown as text and ping nobody. The bot adds its own markup (links,
 * `<@asker>`, dates) only after escaping.
 */

/** Invisible, and not a line-break opportunity: `@here` with it after the `@` looks the same but mentions nobody. */
const WORD_JOINER = '\u2060';

/** Slack's three control characters, and nothing else: the rest of the text is shown as written. */
export function escapeControl(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * Defence in depth for surfaces whose mention parsing is not documented (mrkdwn with `verbatim: false`,
 * `markdown` blocks): a bare `@here`, `@channel` or `@everyone` gets a word joiner after the `@`. An `@` inside a
 * word (an email address such as `ops@here.com`) is left alone.
 */
function defuseBroadcasts(text: string): string {
  return text.replace(/(?<![\p{L}\p{N}._%+-])@(?=(?:channel|here|everyone)(?![\p{L}\p{N}_-]))/giu, `@${WORD_JOINER}`);
}

/** Untrusted text inside mrkdwn: shown exactly as written, and never a mention, a link or a ping. */
export function escapeMrkdwn(text: string): string {
  return defuseBroadcasts(escapeControl(text));
}

/** Untrusted text in a `plain_text` object: Slack parses no markup there, so only broadcast words need breaking. */
export function plainText(text: string): string {
  return defuseBroadcasts(readableMentions(text));
}

/** A name (a tool, a subcommand) shown as code; a backtick in it could otherwise end the code span early. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(text.replaceAll('`', "'"))}\``;
}

const SPECIAL_TOKEN = /<([@#!])([^<>|\s]*)(?:\|([^<>]*))?>/g;

/**
 * Slack's special tokens turned into what a reader would see, as plain text: `<!channel>` becomes `@channel`,
 * `<@U123|bob>` becomes `@bob`, `<!subteam^S1|@support>` becomes `@support`. The result still needs escaping.
 */
export function readableMentions(text: string): string {
  return text.replace(SPECIAL_TOKEN, (_whole, sigil: string, id: string, label: string | undefined) => {
    const named = label?.trim().replace(/^[@#]/, '');
    if (sigil === '@') return `@${named || id}`;
    if (sigil === '#') return `#${named || id}`;
    const [kind = '', arg = ''] = id.split('^');
    if (kind === 'subteam') return `@${named || arg}`;
    if (['channel', 'here', 'everyone', 'group'].includes(kind)) return `@${kind === 'group' ? 'channel' : kind}`;
    return named || kind;
  });
}

/**
 * A link the model wrote, as Slack markup: only http(s) URLs become links, and the label is escaped. A label that
 * names another host than the target (`[intercom.com](https://evil.example/x)`) is dropped, so the link shows
 * its real target: `<https://evil.example/x>`. Anything else that is not a usable URL is returned as inert text.
 */
export function safeLink(url: string, label?: string): string {
  const link = checkedLink(url, label);
  if (!link) return escapeMrkdwn(label ? `${label} (${url})` : url);
  return link.label === undefined ? `<${link.href}>` : `<${link.href}|${link.label}>`;
}

/** The same check for Markdown (streamed answers): `[label](url)`, or the bare URL when the label would mislead. */
export function safeMarkdownLink(url: string, label?: string): string {
  const link = checkedLink(url, label);
  if (!link) return escapeMrkdwn(label ? `${label} (${url})` : url);
  return link.label === undefined ? link.href : `[${link.label.replace(/[[\]]/g, '')}](${link.href})`;
}

/** An http(s) link with its label escaped, or its label dropped when it names another host; undefined if no link. */
function checkedLink(url: string, label?: string): { href: string; label?: string } | undefined {
  const target = webUrl(url);
  if (!target) return undefined;
  const href = escapeControl(url);
  const shown = label?.trim();
  if (!shown || shown === url || misleads(shown, target.hostname)) return { href };
  return { href, label: escapeMrkdwn(readableMentions(shown)) };
}

function webUrl(url: string): URL | undefined {
  if (!/^https?:\/\/[^\s<>|"]+$/i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Host-like words in a label (`intercom.com`, `https://login.intercom.com/x`, unicode look-alikes too), not emails. */
const HOST_IN_LABEL =
  /(?<![\p{L}\p{N}@._-])(?:[a-z][a-z0-9+.-]*:\/\/)?((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+(?:[\p{L}]{2,63}|xn--[a-z0-9-]+))(?![\p{L}\p{N}-])/giu;

/** True when the label names a host the target is not (and is not under): the reader would be misled. */
function misleads(label: string, targetHost: string): boolean {
  const target = bareHost(targetHost);
  for (const match of label.matchAll(HOST_IN_LABEL)) {
    const named = normalisedHost(match[1] ?? '');
    if (!named) return true;
    if (target !== named && !target.endsWith(`.${named}`)) return true;
  }
  return false;
}

function normalisedHost(host: string): string | undefined {
  try {
    return bareHost(new URL(`http://${host}`).hostname);
  } catch {
    return undefined;
  }
}

function bareHost(host: string): string {
  return host
    .toLowerCase()
    .replace(/\.$/, '')
    .replace(/^www\./, '');
}

/** Untrusted text in HTML (the connect pages, the playground): every character that could open markup or an attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
