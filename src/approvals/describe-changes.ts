/**
 * Words for the changes to a conversation that are not a text (snooze, priority, ticket) and for any other tool's
 * arguments: an approval card says what will happen, never raw JSON.
 */

/** The summary and facts of a change to a conversation, or undefined when the tool is not one of these. */
export function describeConversationChange(params: {
  toolName: string;
  args: Record<string, unknown>;
  /** A record's name for an id the arguments hold (a ticket type), else the id. */
  nameOf: (id: unknown) => string;
  /** The requester's time zone (IANA), for times; UTC when unknown. */
  timeZone?: string;
}): { summary: string; facts: Array<[string, string]> } | undefined {
  const { toolName, args, nameOf } = params;
  if (toolName === 'intercom_manage_conversation' && args.message_type === 'snoozed') {
    const seconds = Number(args.snoozed_until);
    if (!Number.isFinite(seconds) || seconds <= 0)
      return { summary: 'Snooze the conversation (no time given)', facts: [] };
    const until = localTime(seconds * 1000, params.timeZone);
    return { summary: `Snooze the conversation until ${until}`, facts: [['Until', until]] };
  }
  if (toolName === 'intercom_update_conversation') {
    const changes: string[] = [];
    if (args.priority === 'priority') changes.push('Mark the conversation as priority');
    if (args.priority === 'not_priority') changes.push("Remove the conversation's priority");
    if (args.read === true) changes.push('Mark the conversation as read');
    if (args.read === false) changes.push('Mark the conversation as unread');
    const attributes = args.custom_attributes;
    const facts = attributes && typeof attributes === 'object' ? inWords(attributes as Record<string, unknown>) : [];
    if (facts.length > 0) changes.push(`Set ${facts.map(([key]) => key).join(', ')} on the conversation`);
    return { summary: changes.join('; ') || 'Update the conversation', facts };
  }
  if (toolName === 'intercom_convert_conversation_to_ticket') {
    const type = nameOf(args.ticket_type_id);
    return { summary: `Turn the conversation into a ${type} ticket`, facts: [['Ticket type', type]] };
  }
  return undefined;
}

/** Arguments as label/value pairs a person reads: nested objects by their path, lists joined, no JSON. */
export function inWords(args: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  return Object.entries(args).flatMap(([key, value]): Array<[string, string]> => {
    if (key === 'admin_id') return [];
    const label = `${prefix}${key.replaceAll('_', ' ')}`;
    if (value === null || value === undefined || value === '') return [[label, '(none)']];
    if (Array.isArray(value)) {
      return [
        [
          label,
          value
            .map((v) => (v !== null && typeof v === 'object' ? inWords(v).map(pair).join(', ') : String(v)))
            .join('; '),
        ],
      ];
    }
    if (typeof value === 'object') return inWords(value as Record<string, unknown>, `${label} › `);
    if (typeof value === 'boolean') return [[label, value ? 'yes' : 'no']];
    return [[label, String(value)]];
  });
}

function pair([key, value]: [string, string]): string {
  return `${key}: ${value}`;
}

/** "Tue, 8 Dec 2026, 09:00 (America/Los_Angeles)": a time as the requester's clock shows it. */
export function localTime(ms: number, timeZone = 'UTC'): string {
  const format = (zone: string) =>
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).format(ms);
  try {
    return `${format(timeZone)} (${timeZone})`;
  } catch {
    return `${format('UTC')} (UTC)`;
  }
}
