/** A plan step's title from a tool call: `names` (what Intercom named, by id) replace ids in the arguments. */
type StepTitle = (
  toolName: string,
  args: Record<string, unknown>,
  fallbackTitle: string,
  names?: ReadonlyMap<string, string>,
) => string;

/**
 * What a tool step looks like in the live plan: "Searching contacts for john@acme.com", "Reading conversation
 * 123". Arguments come from the model, so the subject is clipped; escaping is the surface's job.
 */
export const describeStep: StepTitle = (toolName, args, fallbackTitle, names = new Map()) => {
  const subject = subjectOf(args, names);
  const known = KNOWN[toolName];
  if (known) return known(subject);
  const [verb, ...rest] = toolName.replace(/^intercom_/, '').split('_');
  const gerund = verb ? VERBS[verb] : undefined;
  if (!gerund) return fallbackTitle;
  return `${gerund} ${rest.join(' ')}${subject ? ` ${subject}` : ''}`.trim();
};

/** The suffix a proposal's title has until its card is decided. */
export const AWAITING = ': waiting for your approval';

/** The plan step of a write that waits for approval: named after its approval card, which updates it later. */
export function planTaskOf(actionId: string): string {
  return `approval-${actionId}`;
}

/** The approval a plan step stands for, if it is a proposal's step. */
export function actionOfPlanTask(taskId: string): string | undefined {
  return taskId.startsWith('approval-') ? taskId.slice('approval-'.length) : undefined;
}

/** The title a write gets while it waits for its approval card. */
export const describeProposal: StepTitle = (toolName, args, fallbackTitle, names = new Map()) => {
  const conversation = idOf(args.conversation_id, names);
  const contact = idOf(args.contact_id, names);
  const what = PROPOSALS[toolName] ?? fallbackTitle;
  const on = conversation ? ` on ${conversation.startsWith('“') ? conversation : `conversation ${conversation}`}` : '';
  return `${what}${on}${contact && !conversation ? ` for ${contact}` : ''}${AWAITING}`;
};

const MAX_SUBJECT = 100;

const KNOWN: Record<string, (subject: string) => string> = {
  intercom_search_contacts: (s) => (s ? `Searching contacts for ${s}` : 'Searching contacts'),
  intercom_retrieve_contact: (s) => `Reading contact ${s}`.trim(),
  intercom_list_contact_notes: (s) => `Reading notes on contact ${s}`.trim(),
  intercom_search_conversations: (s) => (s ? `Searching conversations for ${s}` : 'Searching conversations'),
  intercom_retrieve_conversation: (s) => `Reading conversation ${s}`.trim(),
  intercom_list_conversations: () => 'Listing recent conversations',
  intercom_search_tickets: (s) => (s ? `Searching tickets for ${s}` : 'Searching tickets'),
  intercom_retrieve_ticket: (s) => `Reading ticket ${s}`.trim(),
  intercom_identify_admin: () => 'Checking who you are in Intercom',
  intercom_search_articles: (s) => (s ? `Searching help articles for ${s}` : 'Searching help articles'),
};

const PROPOSALS: Record<string, string> = {
  intercom_reply_to_conversation: 'Reply',
  intercom_create_contact_note: 'Note',
  intercom_attach_tag_to_conversation: 'Tag',
  intercom_detach_tag_from_conversation: 'Remove tag',
  intercom_manage_conversation: 'Change',
};

const VERBS: Record<string, string> = {
  search: 'Searching',
  retrieve: 'Reading',
  get: 'Reading',
  list: 'Listing',
  identify: 'Identifying',
  create: 'Creating',
  update: 'Updating',
  reply: 'Replying',
  attach: 'Attaching',
  detach: 'Detaching',
  manage: 'Updating',
};

/** The argument a person would recognise the step by: an email, a search phrase, a name rather than an id. */
function subjectOf(args: Record<string, unknown>, names: ReadonlyMap<string, string>): string {
  for (const key of ['email', 'query', 'search', 'name', 'conversation_id', 'contact_id', 'ticket_id', 'id']) {
    const value = args[key];
    const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
    if (text?.trim()) return clip(names.get(text.trim()) ?? text.trim().replace(/\s+/g, ' '));
  }
  const query = args.query;
  if (query && typeof query === 'object') {
    const value = (query as { value?: unknown }).value;
    if (typeof value === 'string' && value.trim()) return clip(names.get(value.trim()) ?? value.trim());
  }
  return '';
}

function idOf(value: unknown, names: ReadonlyMap<string, string>): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  return clip(names.get(String(value)) ?? String(value));
}

function clip(text: string): string {
  return text.length <= MAX_SUBJECT ? text : `${text.slice(0, MAX_SUBJECT - 1)}…`;
}
