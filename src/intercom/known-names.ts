import { intercomHtmlToText } from '../shared/intercom-html.ts';

/**
 * What Intercom's answers in a run named: people by name and email, conversations by subject (or first line) and
 * `#id`, tags and admins by name. The plan and the approval card show these where a tool's arguments hold ids.
 */
export type KnownNames = Map<string, string>;

const MAX_NAMES = 500;
const MAX_DEPTH = 6;
const MAX_SUBJECT = 60;

/** Learns the names of the records in a tool's result (contacts, admins, conversations, tags), at any depth. */
export function learnNames(data: unknown, names: KnownNames, depth = 0): void {
  if (depth > MAX_DEPTH || data === null || typeof data !== 'object') return;
  if (Array.isArray(data)) {
    for (const item of data.slice(0, 100)) learnNames(item, names, depth + 1);
    return;
  }
  const record = data as Record<string, unknown>;
  const id = typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : undefined;
  const label = id ? labelOf(record, id) : undefined;
  if (id && label && (names.size < MAX_NAMES || names.has(id))) names.set(id, label);
  for (const value of Object.values(record)) {
    if (value !== null && typeof value === 'object') learnNames(value, names, depth + 1);
  }
}

/** "Jane Doe <jane@x.com>", "Jane Doe" or "jane@x.com": how a person is named to a teammate. */
export function personLabel(name: unknown, email: unknown): string | undefined {
  const shown = [text(name), text(email) && `<${text(email)}>`].filter(Boolean).join(' ');
  return shown || undefined;
}

function labelOf(record: Record<string, unknown>, id: string): string | undefined {
  switch (record.type) {
    case 'contact':
    case 'admin':
      return personLabel(record.name, record.email);
    case 'tag':
    case 'ticket_type':
      return text(record.name);
    case 'conversation': {
      const source = (record.source ?? {}) as Record<string, unknown>;
      const subject = text(record.title) ?? text(source.subject) ?? firstLine(source.body);
      return subject ? `“${clip(subject)}” (#${id})` : `#${id}`;
    }
    default:
      return undefined;
  }
}

/** The first line of a message body, which Intercom may give as HTML. */
export function firstLine(body: unknown): string | undefined {
  if (typeof body !== 'string') return undefined;
  const plain = intercomHtmlToText(body);
  return plain
    .split('\n')
    .map((line) => line.trim())
    .find(Boolean);
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function clip(value: string): string {
  return value.length <= MAX_SUBJECT ? value : `${value.slice(0, MAX_SUBJECT - 1)}…`;
}
