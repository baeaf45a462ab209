/** Reading Intercom's answers (loose JSON) for the scripted model. */
export type Found = Record<string, unknown>;

export function record(value: unknown): Found {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Found) : {};
}

/** The list under `key` (Intercom's `data`, `conversations`, `conversation_parts`), as records. */
export function records(value: unknown, key: string): Found[] {
  const list = record(value)[key];
  return Array.isArray(list) ? list.map(record) : [];
}

export function describeContact(contact: Found): string {
  const name = contact.name ? `**${String(contact.name)}**` : 'An unnamed contact';
  const external = contact.external_id ? `, external id ${String(contact.external_id)}` : '';
  return `${name} (${String(contact.email)}) is a ${String(contact.role ?? 'user')} in Intercom: contact \`${String(contact.id)}\`${external}.`;
}

export function describeConversation(conversation: Found): string {
  const source = record(conversation.source);
  const subject = String(conversation.title ?? source.subject ?? 'Untitled');
  const tags = records(conversation.tags, 'tags').map((t) => String(t.name));
  return `"${subject}" (conversation ${String(conversation.id)}, ${String(conversation.state ?? 'open')}${
    tags.length ? `, tagged ${tags.join(', ')}` : ''
  })`;
}

/** Open conversations first, then the most recently updated. */
export function latestConversation(conversations: Found[]): Found | undefined {
  return [...conversations].sort(
    (a, b) =>
      Number(b.state === 'open') - Number(a.state === 'open') || Number(b.updated_at ?? 0) - Number(a.updated_at ?? 0),
  )[0];
}
