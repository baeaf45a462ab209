/**
 * Text people wrote in Slack, as the bot takes it in: the one place Slack's encoding is undone. In a message event
 * Slack escapes `&`, `<` and `>` as entities and writes people, channels and links as `<…>` tokens; a modal's
 * `plain_text_input` value is raw. Both become the text the person typed, with its line breaks and blank lines,
 * and with people and places in words the model can read.
 */

/** A person's name for `<@U…>`; undefined when it cannot be found (the id is shown instead). */
export type NameOf = (userId: string) => Promise<string | undefined>;

export interface IncomingTextOptions {
  /** The bot's own mention is an address, not part of the request: it is taken out. */
  botUserId?: string;
  nameOf?: NameOf;
}

/** Slack's three entities, decoded once: `&amp;lt;` (a person typed `&lt;`) becomes `&lt;`, not `<`. */
export function decodeEntities(text: string): string {
  return text.replace(/&(amp|lt|gt);/g, (_whole, name: string) => (name === 'amp' ? '&' : name === 'lt' ? '<' : '>'));
}

/** Slack's `<…>` tokens: anything in angle brackets is one, since the text's own `<` and `>` arrive as entities. */
const TOKEN = /<([^<>]*)>/g;

/**
 * A message's text (a mention, a DM, a thread follow-up, a message in the thread's history) as the person wrote it:
 * entities decoded once, `<@U…>` as `@Name`, `<#C…|name>` as `#name`, `<url|label>` as `label (url)`, the bot's
 * own mention removed, line breaks kept.
 */
export async function fromSlackMessage(text: string, options: IncomingTextOptions = {}): Promise<string> {
  const { botUserId, nameOf } = options;
  // Between two words the mention leaves one space; at the start or end of a line, nothing.
  const withoutBot = botUserId
    ? text.replace(new RegExp(`[ \\t]*<@${escapeRegExp(botUserId)}(?:\\|[^<>]*)?>[ \\t]*`, 'g'), (found, at: number) =>
        at > 0 && text[at - 1] !== '\n' && at + found.length < text.length && text[at + found.length] !== '\n'
          ? ' '
          : '',
      )
    : text;
  const people = new Map<string, string | undefined>();
  if (nameOf) {
    const ids = new Set([...withoutBot.matchAll(/<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>/g)].map((m) => m[1] as string));
    await Promise.all([...ids].map(async (id) => people.set(id, await nameOf(id).catch(() => undefined))));
  }
  const words = withoutBot
    .split(TOKEN)
    .map((part, i) => (i % 2 === 0 ? decodeEntities(part) : tokenInWords(part, people)))
    .join('');
  return words.trim();
}

/** A modal's `plain_text_input` value: raw already (no entities, no tokens); only line endings are made `\n`. */
export function fromSlackInput(value: string): string {
  return value.replace(/\r\n?/g, '\n');
}

function tokenInWords(token: string, people: Map<string, string | undefined>): string {
  const bar = token.indexOf('|');
  const target = decodeEntities(bar < 0 ? token : token.slice(0, bar));
  const label = bar < 0 ? undefined : decodeEntities(token.slice(bar + 1)).trim() || undefined;
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `@${people.get(id) ?? label?.replace(/^@/, '') ?? id}`;
  }
  if (target.startsWith('#')) return `#${label?.replace(/^#/, '') ?? target.slice(1)}`;
  if (target.startsWith('!')) {
    const [kind = '', arg = ''] = target.slice(1).split('^');
    if (kind === 'subteam') return `@${label?.replace(/^@/, '') ?? arg}`;
    if (['channel', 'here', 'everyone'].includes(kind)) return `@${kind}`;
    return label ?? kind;
  }
  if (!label || sameAsLink(label, target)) return label ?? target.replace(/^mailto:/i, '');
  return `${label} (${target.replace(/^mailto:/i, '')})`;
}

/** Slack links what people type (`acme.com`, `jane@x.com`): the label is then all they wrote. */
function sameAsLink(label: string, target: string): boolean {
  const bare = (s: string) =>
    s
      .replace(/^(?:https?:\/\/|mailto:)/i, '')
      .replace(/\/$/, '')
      .toLowerCase();
  return bare(label) === bare(target);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** What `users.info` answers that names a person. */
interface UsersInfo {
  users: {
    info(args: { user: string }): Promise<{
      user?: { name?: string; real_name?: string; profile?: { display_name?: string; real_name?: string } };
    }>;
  };
}

const NAME_TTL_MS = 60 * 60 * 1000;
const MAX_NAMES = 5000;

/**
 * People's names for `<@U…>`, from `users.info`, remembered for an hour (a mention-heavy thread asks once per
 * person); a lookup that fails leaves the id, and the message still goes through.
 */
export function createNameDirectory(now: () => number): (client: UsersInfo) => NameOf {
  const known = new Map<string, { name: string | undefined; at: number }>();
  return (client) => async (userId) => {
    const cached = known.get(userId);
    if (cached && now() - cached.at < NAME_TTL_MS) return cached.name;
    const { user } = await client.users.info({ user: userId });
    const name =
      [user?.profile?.display_name, user?.profile?.real_name, user?.real_name, user?.name].find((n) => n?.trim()) ??
      undefined;
    if (known.size >= MAX_NAMES) known.delete(known.keys().next().value as string);
    known.set(userId, { name, at: now() });
    return name;
  };
}
