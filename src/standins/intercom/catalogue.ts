// Tool names, descriptions and parameters follow Scalekit's Intercom connector as listed in
// scalekit-inc/developer-docs (src/data/agent-connectors/intercom.ts, 113 tools). The docs list parameters, not
// the raw schemas, so the JSON Schemas below are our reconstruction of what `definition.input_schema` carries.

export type JsonSchema = Record<string, unknown>;

/** MCP-style hints; Scalekit sends them snake_case inside `definition.annotations`. */
export interface ToolAnnotations {
  title?: string;
  read_only_hint?: boolean;
  destructive_hint?: boolean;
  idempotent_hint?: boolean;
  open_world_hint?: boolean;
}

/** What the emulator puts in `Tool.definition` (a protobuf Struct on the wire). */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: JsonSchema;
  annotations?: ToolAnnotations;
}

export type ToolParams = Record<string, unknown>;

export interface ToolContext {
  workspace: IntercomWorkspace;
  /** The connected account's identifier, i.e. whose Intercom token the call runs with. */
  identifier: string;
  connector: string;
  connectedAccountId: string;
}

/** Returns the Intercom API response body. Throw `IntercomApiError` for provider-side failures. */
export type ToolHandler = (params: ToolParams, ctx: ToolContext) => unknown;

/** An error response from the (fake) Intercom API; the emulator turns it into a Scalekit TOOL_ERROR. */
export class IntercomApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'IntercomApiError';
    this.status = status;
    this.code = code;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Tool definitions

const versionProperties: Record<string, JsonSchema> = {
  schema_version: { type: 'string', description: 'Schema version' },
  tool_version: { type: 'string', description: 'Tool version' },
};

function objectSchema(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties: { ...properties, ...versionProperties }, required };
}

const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'string', description, ...extra });
const int = (description: string): JsonSchema => ({ type: 'integer', description });
const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
const obj = (description: string, extra: JsonSchema = {}): JsonSchema => ({ type: 'object', description, ...extra });
const arr = (description: string, items: JsonSchema = {}): JsonSchema => ({ type: 'array', description, items });

const searchQuery = obj(
  'Filter query. Either a single filter {"field", "operator", "value"} or a compound filter ' +
    '{"operator": "AND" | "OR", "value": [filters]}. Example: {"field": "email", "operator": "=", "value": "user@example.com"}',
  {
    properties: {
      field: str('Attribute to filter on, e.g. email, name, role, external_id, contact_ids, state, admin_assignee_id.'),
      operator: str('Comparison operator, or AND / OR for compound filters.', {
        enum: ['=', '!=', 'IN', 'NIN', '>', '<', '~', '!~', '^', '$', 'AND', 'OR'],
      }),
      value: { description: 'Value to compare against, or an array of nested filters for AND / OR.' },
    },
    required: ['operator', 'value'],
  },
);

const searchPagination = obj('Pagination object with optional per_page and starting_after cursor.', {
  properties: {
    per_page: int('Number of results per page (max 150).'),
    starting_after: str('Cursor from pages.next.starting_after of the previous response.'),
  },
});

const readOnly: ToolAnnotations = { read_only_hint: true, destructive_hint: false, open_world_hint: true };
const destructive: ToolAnnotations = { read_only_hint: false, destructive_hint: true, open_world_hint: true };

const supportTools: ToolDefinition[] = [
  {
    name: 'intercom_search_conversations',
    description: 'Search for conversations using filter queries.',
    input_schema: objectSchema({ query: searchQuery, pagination: searchPagination }, ['query']),
    annotations: { ...readOnly, title: 'Search conversations' },
  },
  {
    name: 'intercom_search_contacts',
    description:
      'Search for contacts using filter queries. Supports complex filters by email, name, role, external_id, custom attributes, and more.',
    input_schema: objectSchema({ query: searchQuery, pagination: searchPagination }, ['query']),
    annotations: { ...readOnly, title: 'Search contacts' },
  },
  {
    name: 'intercom_search_tickets',
    description: 'Search for tickets using filter queries.',
    input_schema: objectSchema({ query: searchQuery, pagination: searchPagination }, ['query']),
  },
  {
    name: 'intercom_retrieve_conversation',
    description: 'Retrieve a conversation by its Intercom ID. Optionally return the body in plaintext format.',
    input_schema: objectSchema(
      {
        conversation_id: str('The Intercom ID of the conversation.'),
        display_as: str("Set to 'plaintext' to return conversation parts as plain text instead of HTML.", {
          enum: ['plaintext'],
        }),
      },
      ['conversation_id'],
    ),
    annotations: { ...readOnly, title: 'Retrieve conversation' },
  },
  {
    name: 'intercom_list_conversations',
    description: 'List all conversations in the Intercom workspace with optional pagination.',
    input_schema: objectSchema({
      per_page: int('Number of conversations to return per page.'),
      starting_after: str('Pagination cursor from a previous response.'),
    }),
    annotations: readOnly,
  },
  {
    name: 'intercom_reply_to_conversation',
    description: 'Reply to a conversation as an admin. Supports user and admin reply types.',
    input_schema: objectSchema(
      {
        admin_id: str('The Intercom ID of the admin sending the reply.'),
        conversation_id: str('The Intercom ID of the conversation to reply to.'),
        message_type: str("Type of reply: 'comment' or 'note'.", { enum: ['comment', 'note'] }),
        type: str("Sender type: 'admin' or 'user'.", { enum: ['admin', 'user'] }),
        body: str('The reply message text. Notes support some HTML.'),
        created_at: int('Unix timestamp to backdate the reply.'),
      },
      ['admin_id', 'conversation_id', 'message_type', 'type'],
    ),
    annotations: { read_only_hint: false, destructive_hint: false, open_world_hint: true, title: 'Reply' },
  },
  {
    name: 'intercom_manage_conversation',
    description:
      "Manage a conversation by assigning it, closing it, opening it, or snoozing it. Use message_type to specify the action: 'assignment', 'close', 'open', or 'snoozed'.",
    input_schema: objectSchema(
      {
        admin_id: str('The Intercom ID of the admin performing the action.'),
        conversation_id: str('The Intercom ID of the conversation to manage.'),
        message_type: str("The action to take: 'assignment', 'close', 'open', or 'snoozed'.", {
          enum: ['assignment', 'close', 'open', 'snoozed'],
        }),
        type: str("Sender type: 'admin'.", { enum: ['admin'] }),
        assignee_id: str('Admin or team ID to assign the conversation to (required for assignment).'),
        body: str('Optional message to send with the assignment.'),
        snoozed_until: int('Unix timestamp until which to snooze the conversation (required for snoozed action).'),
      },
      ['admin_id', 'conversation_id', 'message_type', 'type'],
    ),
  },
  {
    name: 'intercom_update_conversation',
    description: "Update a conversation's read status or custom attributes.",
    input_schema: objectSchema(
      {
        conversation_id: str('The Intercom ID of the conversation to update.'),
        custom_attributes: obj('Object of custom attribute key-value pairs to update.'),
        read: bool('Set to true to mark the conversation as read.'),
      },
      ['conversation_id'],
    ),
  },
  {
    name: 'intercom_auto_assign_conversation',
    description: "Run the workspace's assignment rules on a conversation to automatically assign it.",
    input_schema: objectSchema({ conversation_id: str('The Intercom ID of the conversation to auto-assign.') }, [
      'conversation_id',
    ]),
  },
  {
    name: 'intercom_convert_conversation_to_ticket',
    description: 'Convert an existing conversation into a ticket.',
    input_schema: objectSchema(
      {
        conversation_id: str('The Intercom ID of the conversation to convert.'),
        ticket_type_id: str('The ID of the ticket type to use for the new ticket.'),
      },
      ['conversation_id', 'ticket_type_id'],
    ),
  },
  {
    name: 'intercom_attach_tag_to_conversation',
    description: 'Add a tag to a conversation.',
    input_schema: objectSchema(
      {
        admin_id: str('The Intercom ID of the admin performing the action.'),
        conversation_id: str('The Intercom ID of the conversation.'),
        id: str('The Intercom ID of the tag to attach.'),
      },
      ['admin_id', 'conversation_id', 'id'],
    ),
  },
  {
    name: 'intercom_detach_tag_from_conversation',
    description: 'Remove a tag from a conversation.',
    input_schema: objectSchema(
      {
        admin_id: str('The Intercom ID of the admin performing the action.'),
        conversation_id: str('The Intercom ID of the conversation.'),
        tag_id: str('The Intercom ID of the tag to remove.'),
      },
      ['admin_id', 'conversation_id', 'tag_id'],
    ),
  },
  {
    name: 'intercom_attach_contact_to_conversation',
    description: 'Add a contact as a participant to an existing conversation.',
    input_schema: objectSchema(
      {
        conversation_id: str('The Intercom ID of the conversation.'),
        customer: obj(
          'Customer object identifying the contact to add. E.g. {"intercom_user_id": "contact_id"} or {"email": "user@example.com"}.',
        ),
        admin_id: str('The admin performing the action.'),
      },
      ['conversation_id', 'customer'],
    ),
  },
  {
    name: 'intercom_redact_conversation',
    description: 'Redact a conversation part or the source of a conversation to permanently remove its content.',
    input_schema: objectSchema(
      {
        conversation_id: str('The Intercom ID of the conversation.'),
        type: str("Type of content to redact: 'conversation_part' or 'source'.", {
          enum: ['conversation_part', 'source'],
        }),
        conversation_part_id: str(
          'The Intercom ID of the conversation part to redact (required if type is conversation_part).',
        ),
      },
      ['conversation_id', 'type'],
    ),
    annotations: destructive,
  },
  {
    name: 'intercom_retrieve_contact',
    description: 'Retrieve a contact by their Intercom ID.',
    input_schema: objectSchema({ contact_id: str('The unique Intercom identifier for the contact.') }, ['contact_id']),
    annotations: readOnly,
  },
  {
    name: 'intercom_list_contacts',
    description: 'List all contacts (users and leads) in the Intercom workspace with optional pagination.',
    input_schema: objectSchema({
      page: int('Page number of results to return.'),
      per_page: int('Number of results per page.'),
      starting_after: str('Cursor for pagination. Use the value from the previous response to get the next page.'),
    }),
  },
  {
    name: 'intercom_create_contact',
    description: 'Create a new contact (user or lead) in Intercom.',
    input_schema: objectSchema({
      email: str('Email address of the contact.'),
      external_id: str('Your unique identifier for the contact.'),
      name: str('Full name of the contact.'),
      phone: str('Phone number of the contact.'),
      role: str("Role of the contact: 'user' or 'lead'.", { enum: ['user', 'lead'] }),
      owner_id: int('ID of the admin who owns this contact.'),
    }),
  },
  {
    name: 'intercom_update_contact',
    description: "Update an existing contact's details by their Intercom ID.",
    input_schema: objectSchema(
      {
        contact_id: str('The unique Intercom identifier for the contact to update.'),
        email: str('Email address of the contact.'),
        external_id: str('Your unique identifier for the contact.'),
        name: str('Full name of the contact.'),
        phone: str('Phone number of the contact.'),
        role: str("Role of the contact: 'user' or 'lead'.", { enum: ['user', 'lead'] }),
      },
      ['contact_id'],
    ),
  },
  {
    name: 'intercom_delete_contact',
    description: 'Permanently delete a contact by their Intercom ID.',
    input_schema: objectSchema({ contact_id: str('The unique Intercom identifier for the contact to delete.') }, [
      'contact_id',
    ]),
    annotations: { ...destructive, title: 'Delete contact' },
  },
  {
    name: 'intercom_merge_contacts',
    description:
      'Merge a lead contact into a user contact. The lead contact is deleted and its data is merged into the user.',
    input_schema: objectSchema(
      {
        from: str('The Intercom ID of the lead contact to merge away (will be deleted).'),
        into: str('The Intercom ID of the user contact to merge the lead into.'),
      },
      ['from', 'into'],
    ),
    annotations: destructive,
  },
  {
    name: 'intercom_create_contact_note',
    description: 'Create a note on a contact. Notes are visible to admins in the Intercom inbox.',
    input_schema: objectSchema(
      {
        body: str('The text content of the note.'),
        contact_id: str('The unique Intercom identifier for the contact.'),
        admin_id: str('The ID of the admin authoring the note.'),
      },
      ['body', 'contact_id'],
    ),
  },
  {
    name: 'intercom_list_contact_notes',
    description: 'List all notes associated with a contact.',
    input_schema: objectSchema(
      {
        contact_id: str('The unique Intercom identifier for the contact.'),
        page: int('Page number of results to return.'),
        per_page: int('Number of notes to return per page.'),
      },
      ['contact_id'],
    ),
  },
  {
    name: 'intercom_retrieve_ticket',
    description: 'Retrieve a ticket by its Intercom ID.',
    input_schema: objectSchema({ ticket_id: str('The Intercom ID of the ticket.') }, ['ticket_id']),
  },
  {
    name: 'intercom_reply_to_ticket',
    description: 'Reply to a ticket as an admin.',
    input_schema: objectSchema(
      {
        admin_id: str('The Intercom ID of the admin sending the reply.'),
        message_type: str("Type of reply: 'comment' or 'note'.", { enum: ['comment', 'note'] }),
        ticket_id: str('The Intercom ID of the ticket to reply to.'),
        type: str("Sender type: 'admin'.", { enum: ['admin'] }),
        body: str('The reply message text.'),
      },
      ['admin_id', 'message_type', 'ticket_id', 'type'],
    ),
  },
  {
    name: 'intercom_update_ticket',
    description: "Update a ticket's attributes, state, or assignment.",
    input_schema: objectSchema(
      {
        ticket_id: str('The Intercom ID of the ticket to update.'),
        assignment: obj('Assignment object: {"admin_id": "1234567"} or {"team_id": "1234567"}.'),
        is_shared: bool('Set to true to make the ticket visible to users.'),
        open: bool('Set to false to close the ticket.'),
        snoozed_until: int('Unix timestamp to snooze the ticket until.'),
        state: str("Updated ticket state: 'in_progress', 'waiting_on_customer', 'resolved'.", {
          enum: ['in_progress', 'waiting_on_customer', 'resolved'],
        }),
        ticket_attributes: obj('Updated ticket attribute key-value pairs.'),
      },
      ['ticket_id'],
    ),
  },
  {
    name: 'intercom_create_ticket',
    description: 'Create a new ticket in Intercom. Requires a ticket type and at least one contact.',
    input_schema: objectSchema(
      {
        contacts: arr(
          'Array of contact identifier objects, e.g. [{"id": "contact_id"}] or [{"email": "user@example.com"}].',
          {
            type: 'object',
          },
        ),
        ticket_type_id: str('The ID of the ticket type to create.'),
        company_id: str('The Intercom ID of the company associated with this ticket.'),
        created_at: int('Unix timestamp to backdate the ticket creation.'),
        ticket_attributes: obj(
          "Ticket attribute key-value pairs. Include 'title' and 'description' for default attributes.",
        ),
      },
      ['contacts', 'ticket_type_id'],
    ),
  },
  {
    // Real-world edge case: a tool without parameters ships an empty schema, not {type: 'object'}.
    name: 'intercom_identify_admin',
    description: "Retrieve the currently authenticated admin's details.",
    input_schema: {},
  },
  {
    name: 'intercom_list_admins',
    description: 'List all admins in the Intercom workspace.',
    input_schema: objectSchema({
      display_avatar: bool("If true, includes the admin's avatar image URL in the response."),
    }),
    annotations: readOnly,
  },
  {
    name: 'intercom_retrieve_admin',
    description: 'Retrieve details for a specific admin by their ID.',
    input_schema: objectSchema({ admin_id: str('The unique identifier of the admin.') }, ['admin_id']),
  },
  {
    name: 'intercom_list_teams',
    description: 'List all teams in the Intercom workspace.',
    input_schema: objectSchema({}),
  },
  {
    name: 'intercom_list_tags',
    description: 'List all tags in the Intercom workspace.',
    input_schema: objectSchema({}),
    annotations: readOnly,
  },
  {
    name: 'intercom_list_macros',
    description:
      'List all macros (saved replies) configured in the Intercom workspace, in descending order by last updated. Supports cursor-based pagination.',
    input_schema: objectSchema({
      starting_after: str('Base64-encoded pagination cursor from a previous response, to fetch the next page.'),
    }),
  },
  {
    name: 'intercom_get_macro',
    description:
      'Retrieve a single macro (saved reply) by its ID, subject to the same team-visibility rules as the Intercom inbox.',
    input_schema: objectSchema({ macro_id: str('The Intercom ID of the macro to retrieve.') }, ['macro_id']),
  },
  {
    name: 'intercom_search_articles',
    description: 'Search Help Center articles by phrase, state, or help center ID.',
    input_schema: objectSchema({
      help_center_id: int('Filter articles by a specific Help Center ID.'),
      highlight: bool('Set to true to return highlighted matching content.'),
      phrase: str('The search phrase to find in articles.'),
      state: str("Filter by state: 'published', 'draft', or 'all'.", { enum: ['published', 'draft', 'all'] }),
    }),
  },
  {
    name: 'intercom_list_activity_log_event_types',
    description:
      'List the event types that can appear in admin activity logs, for use as filters with Search Activity Logs.',
    input_schema: objectSchema({}),
  },
];

// The remaining connector tools matter for paging and tool-selection tests, not for their behaviour, so they are
// kept compact: `params` is space-separated `name[*][:type]` (`*` = required, type defaults to string).
type CompactTool = readonly [name: string, description: string, params?: string, annotations?: ToolAnnotations];

// biome-ignore format: one tool per line keeps this readable as a table
const otherTools: CompactTool[] = [
  ['intercom_archive_contact', 'Archive a contact to hide them from the workspace without permanently deleting them.', 'contact_id*'],
  ['intercom_attach_contact_to_company', "Associate a contact with a company using the company's Intercom ID.", 'contact_id* id*'],
  ['intercom_attach_subscription_to_contact', 'Add an email subscription type to a contact with opt-in or opt-out consent.', 'consent_type* contact_id* id*'],
  ['intercom_attach_tag_to_contact', 'Add a tag to a contact.', 'contact_id* id*'],
  ['intercom_attach_tag_to_ticket', 'Add a tag to a ticket.', 'admin_id* id* ticket_id*'],
  ['intercom_convert_visitor', 'Convert a visitor into a contact (lead or user).', 'type* visitor*:object user:object'],
  ['intercom_create_article', 'Create a new Help Center article. Articles are published or saved as drafts.', 'author_id*:integer title* body description parent_id:integer parent_type state'],
  ['intercom_create_content_import_source', 'Create a new AI content import source that owns External Pages ingested into the Fin Content Library.', 'sync_behavior* url* audience_ids:array status'],
  ['intercom_create_conversation', 'Create a new conversation initiated from an admin to a contact.', 'body* from*:object created_at:integer subject'],
  ['intercom_create_data_attribute', 'Create a new custom data attribute for contacts, companies, or conversations.', 'data_type* model* name* description messenger_writable:boolean options:array'],
  ['intercom_create_data_event', "Submit a data event to track a user action. Events appear in the contact's activity feed in Intercom.", 'created_at*:integer event_name* email id metadata:object user_id'],
  ['intercom_create_data_event_summaries', 'Create an event summary for a user, tracking how many times an event has occurred.', 'event_summaries*:object user_id*'],
  ['intercom_create_external_page', 'Create an external page as AI/Fin knowledge content.', 'external_id* html* source_id*:integer title* ai_agent_availability:boolean ai_copilot_availability:boolean url'],
  ['intercom_create_help_center_collection', 'Create a new Help Center collection to organize articles.', 'name* description help_center_id:integer parent_id'],
  ['intercom_create_message', 'Send an outbound message (in-app or email) from an admin to a contact.', 'body* from*:object to*:object create_conversation_without_contact_reply:boolean message_type subject template'],
  ['intercom_create_news_item', 'Create a new news item for the workspace.', 'sender_id*:integer title* body deliver_silently:boolean labels:array state'],
  ['intercom_create_office_hours_schedule', 'Create a new office-hours schedule defining the recurring weekly hours the workspace is open.', 'name* time_intervals*:array time_zone_name*'],
  ['intercom_create_or_update_company', 'Create a new company or update an existing one. Uses company_id to identify existing companies.', 'company_id industry monthly_spend:integer name plan remote_created_at:integer size:integer website'],
  ['intercom_create_or_update_tag', "Create a new tag or update an existing tag's name.", 'name* id'],
  ['intercom_create_ticket_type', 'Create a new ticket type for the workspace.', 'name* category description icon is_internal:boolean'],
  ['intercom_create_ticket_type_attribute', 'Create a new attribute for a ticket type.', 'data_type* description* name* ticket_type_id* required_to_create:boolean visible_to_contacts:boolean'],
  ['intercom_delete_article', 'Permanently delete a Help Center article.', 'article_id*', destructive],
  ['intercom_delete_company', 'Permanently delete a company by its Intercom ID.', 'company_id*', destructive],
  ['intercom_delete_help_center_collection', 'Permanently delete a Help Center collection.', 'collection_id*', destructive],
  ['intercom_delete_news_item', 'Delete a news item by its Intercom ID.', 'news_item_id*', destructive],
  ['intercom_delete_tag', 'Permanently delete a tag from the Intercom workspace.', 'tag_id*', destructive],
  ['intercom_detach_contact_from_company', 'Remove the association between a contact and a company.', 'company_id* contact_id*'],
  ['intercom_detach_contact_from_conversation', 'Remove a contact as a participant from a conversation.', 'contact_id* conversation_id*'],
  ['intercom_detach_subscription_from_contact', 'Remove an email subscription type from a contact.', 'contact_id* subscription_id*'],
  ['intercom_detach_tag_from_contact', 'Remove a tag from a contact.', 'contact_id* tag_id*'],
  ['intercom_detach_tag_from_ticket', 'Remove a tag from a ticket.', 'admin_id* tag_id* ticket_id*'],
  ['intercom_list_activity_logs', 'List all admin activity logs within a date range. Dates must be Unix timestamps.', 'created_at_after* created_at_before'],
  ['intercom_list_all_companies', 'List all companies via the dedicated companies list endpoint, sorted by last_request_at.', 'order page:integer per_page:integer'],
  ['intercom_list_articles', 'List all Help Center articles in the Intercom workspace.', 'page:integer per_page:integer'],
  ['intercom_list_companies', 'Retrieve companies filtered by name, company_id, tag_id, or segment_id.', 'company_id name page:integer per_page:integer segment_id tag_id'],
  ['intercom_list_company_contacts', 'List all contacts associated with a company.', 'company_id*'],
  ['intercom_list_company_segments', 'List all segments that a company belongs to.', 'company_id*'],
  ['intercom_list_contact_companies', 'List all companies that a contact is attached to.', 'contact_id*'],
  ['intercom_list_contact_segments', 'List all segments that a contact belongs to.', 'contact_id*'],
  ['intercom_list_contact_subscriptions', 'List all email subscription types for a contact.', 'contact_id*'],
  ['intercom_list_contact_tags', 'List all tags that are attached to a specific contact.', 'contact_id*'],
  ['intercom_list_content_import_sources', 'List the AI content import sources configured to feed Fin/Help Center content ingestion.'],
  ['intercom_list_data_attributes', 'List all data attributes (custom attributes) for contacts, companies, or conversations.', 'include_archived:boolean model'],
  ['intercom_list_data_events', "List data events for a specific contact. Requires a filter with the contact's user_id or email.", 'type* intercom_user_id per_page:integer summary:boolean user_id'],
  ['intercom_list_external_pages', 'List external pages registered as AI/Fin knowledge content in the Fin Content Library.'],
  ['intercom_list_help_center_collections', 'List all Help Center collections in the Intercom workspace.'],
  ['intercom_list_help_centers', 'List all Help Centers in the Intercom workspace.'],
  ['intercom_list_news_items', 'List all news items in the workspace.'],
  ['intercom_list_newsfeed_items', 'List all news items in a newsfeed.', 'newsfeed_id*'],
  ['intercom_list_newsfeeds', 'List all newsfeeds in the workspace.'],
  ['intercom_list_office_hours_schedules', 'List all office-hours schedules configured for the workspace.'],
  ['intercom_list_segments', 'List all segments in the Intercom workspace. Optionally include contact count.', 'include_count:boolean'],
  ['intercom_list_subscription_types', 'List all email subscription types configured in the Intercom workspace.'],
  ['intercom_list_ticket_types', 'List all ticket types for the workspace.'],
  ['intercom_retrieve_article', 'Retrieve a Help Center article by its Intercom ID.', 'article_id*'],
  ['intercom_retrieve_company', 'Retrieve a company by its Intercom ID.', 'company_id*'],
  ['intercom_retrieve_help_center', 'Retrieve a specific Help Center by its Intercom ID.', 'help_center_id*'],
  ['intercom_retrieve_help_center_collection', 'Retrieve a Help Center collection by its Intercom ID.', 'collection_id*'],
  ['intercom_retrieve_news_item', 'Retrieve a news item by its Intercom ID.', 'news_item_id*'],
  ['intercom_retrieve_newsfeed', 'Retrieve a newsfeed by its Intercom ID.', 'newsfeed_id*'],
  ['intercom_retrieve_note', 'Retrieve a specific note by its Intercom ID.', 'note_id*'],
  ['intercom_retrieve_segment', 'Retrieve a specific segment by its Intercom ID.', 'segment_id*'],
  ['intercom_retrieve_tag', 'Retrieve a specific tag by its Intercom ID.', 'tag_id*'],
  ['intercom_retrieve_team', 'Retrieve a specific team by its Intercom ID.', 'team_id*'],
  ['intercom_retrieve_ticket_type', 'Retrieve a ticket type by its Intercom ID.', 'ticket_type_id*'],
  ['intercom_retrieve_visitor', 'Retrieve a visitor by their user_id.', 'user_id*'],
  ['intercom_scroll_companies', "Scroll over all companies in the workspace using Intercom's Scroll API.", 'scroll_param'],
  ['intercom_search_activity_logs', 'Search admin activity logs with structured filters (date range, event types, pagination).', 'created_at_after*:integer created_at_before:integer event_types:array page:integer per_page:integer'],
  ['intercom_set_away_admin', "Set an admin's status to away or active, and optionally reassign new conversations.", 'admin_id* away_mode_enabled*:boolean away_mode_reassign*:boolean'],
  ['intercom_unarchive_contact', 'Unarchive a previously archived contact to make them visible in the workspace again.', 'contact_id*'],
  ['intercom_update_article', 'Update an existing Help Center article.', 'article_id* author_id:integer body description state title'],
  ['intercom_update_company', 'Update a single company using its Intercom-provisioned ID.', 'company_id* custom_attributes:object industry monthly_spend:integer name plan size:integer website'],
  ['intercom_update_data_attribute', 'Update an existing data attribute. Custom attributes cannot be deleted, only archived.', 'data_attribute_id* archived:boolean description messenger_writable:boolean options:array'],
  ['intercom_update_help_center_collection', "Update a Help Center collection's name or description.", 'collection_id* description name'],
  ['intercom_update_news_item', 'Update an existing news item.', 'news_item_id* body deliver_silently:boolean labels:array sender_id:integer state title'],
  ['intercom_update_ticket_type', 'Update an existing ticket type.', 'ticket_type_id* archived:boolean category description icon is_internal:boolean name'],
  ['intercom_update_ticket_type_attribute', 'Update an attribute on a ticket type.', 'attribute_id* ticket_type_id* archived:boolean description name'],
  ['intercom_update_visitor', "Update a visitor's attributes.", 'id* custom_attributes:object name user_id'],
];

function expandCompactTool([name, description, params = '', annotations]: CompactTool): ToolDefinition {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const spec of params.split(' ').filter(Boolean)) {
    const [rawName = '', type = 'string'] = spec.split(':');
    const paramName = rawName.replace(/\*$/, '');
    properties[paramName] = { type, description: `The ${paramName.replaceAll('_', ' ')}.` };
    if (rawName.endsWith('*')) required.push(paramName);
  }
  return { name, description, input_schema: objectSchema(properties, required), ...(annotations && { annotations }) };
}

/** All 113 Intercom tools, sorted by name like a stable server listing. */
export const intercomTools: readonly ToolDefinition[] = [...supportTools, ...otherTools.map(expandCompactTool)].sort(
  (a, b) => a.name.localeCompare(b.name),
);

// ---------------------------------------------------------------------------------------------------------------
// In-memory Intercom workspace

export interface IntercomAdmin {
  type: 'admin';
  id: string;
  name: string;
  email: string;
  job_title: string | null;
  away_mode_enabled: boolean;
  away_mode_reassign: boolean;
  has_inbox_seat: boolean;
  team_ids: number[];
}

export interface IntercomContact {
  type: 'contact';
  id: string;
  external_id: string | null;
  role: 'user' | 'lead';
  email: string;
  name: string | null;
  phone: string | null;
  created_at: number;
  updated_at: number;
  last_seen_at: number | null;
}

export interface IntercomAuthor {
  type: 'admin' | 'user' | 'bot';
  id: string;
  name: string | null;
  email: string;
}

export interface IntercomConversationPart {
  type: 'conversation_part';
  id: string;
  part_type: string;
  body: string | null;
  created_at: number;
  updated_at: number;
  author: IntercomAuthor;
  assigned_to: { type: 'admin'; id: string } | null;
  redacted: boolean;
}

export interface IntercomTag {
  type: 'tag';
  id: string;
  name: string;
}

export interface IntercomConversation {
  type: 'conversation';
  id: string;
  title: string | null;
  created_at: number;
  updated_at: number;
  open: boolean;
  state: 'open' | 'closed' | 'snoozed';
  read: boolean;
  priority: 'priority' | 'not_priority';
  snoozed_until: number | null;
  admin_assignee_id: string | null;
  team_assignee_id: string | null;
  source: {
    type: 'conversation';
    id: string;
    delivered_as: 'customer_initiated' | 'admin_initiated';
    subject: string;
    body: string;
    author: IntercomAuthor;
    redacted: boolean;
  };
  contacts: { type: 'contact.list'; contacts: Array<{ type: 'contact'; id: string; external_id: string | null }> };
  tags: { type: 'tag.list'; tags: IntercomTag[] };
  custom_attributes: Record<string, string | number | boolean>;
  conversation_parts: {
    type: 'conversation_part.list';
    conversation_parts: IntercomConversationPart[];
    total_count: number;
  };
}

export interface IntercomNote {
  type: 'note';
  id: string;
  created_at: number;
  contact: { type: 'contact'; id: string };
  author: IntercomAdmin;
  body: string;
}

/** 2026-01-01T00:00:00Z, so seeded timestamps are stable across runs. */
const SEED_EPOCH = 1_767_225_600;
const HOUR = 3600;

/**
 * One fake Intercom workspace shared by every connected account of an emulator. Tests may read and modify the
 * arrays directly; handlers always look records up by id, so edits are picked up by the next tool call.
 */
export class IntercomWorkspace {
  readonly admins: IntercomAdmin[] = [];
  readonly contacts: IntercomContact[] = [];
  readonly conversations: IntercomConversation[] = [];
  readonly notes: IntercomNote[] = [];
  readonly tags: IntercomTag[] = [];
  readonly #adminIdByIdentifier = new Map<string, string>();
  readonly #now: () => number;
  #nextId = 900_001;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    seedWorkspace(this);
  }

  /** Unix seconds, as Intercom timestamps are. */
  nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  newId(): string {
    this.#nextId += 1;
    return String(this.#nextId);
  }

  /**
   * The admin whose OAuth token the identifier's connected account holds. Created on first use so that every
   * teammate acts as a distinct admin, which lets tests tell users apart by `author.id`.
   */
  adminFor(identifier: string): IntercomAdmin {
    const boundId = this.#adminIdByIdentifier.get(identifier);
    const bound = boundId === undefined ? undefined : this.findAdmin(boundId);
    if (bound) return bound;
    const local =
      identifier
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '.')
        .replace(/^\.|\.$/g, '') || 'teammate';
    const admin = makeAdmin(this.newId(), `Teammate ${identifier}`, `${local}@support.example`);
    this.admins.push(admin);
    this.#adminIdByIdentifier.set(identifier, admin.id);
    return admin;
  }

  /** Makes `identifier` authenticate as an existing admin (e.g. a seeded one). */
  bindAdmin(identifier: string, adminId: string): void {
    if (!this.findAdmin(adminId)) throw new Error(`unknown Intercom admin ${adminId}`);
    this.#adminIdByIdentifier.set(identifier, adminId);
  }

  findAdmin(id: string): IntercomAdmin | undefined {
    return this.admins.find((admin) => admin.id === id);
  }

  findContact(id: string): IntercomContact | undefined {
    return this.contacts.find((contact) => contact.id === id);
  }

  findConversation(id: string): IntercomConversation | undefined {
    return this.conversations.find((conversation) => conversation.id === id);
  }

  findTag(id: string): IntercomTag | undefined {
    return this.tags.find((tag) => tag.id === id);
  }
}

function makeAdmin(id: string, name: string, email: string): IntercomAdmin {
  return {
    type: 'admin',
    id,
    name,
    email,
    job_title: null,
    away_mode_enabled: false,
    away_mode_reassign: false,
    has_inbox_seat: true,
    team_ids: [],
  };
}

function makeContact(id: string, email: string, name: string | null, role: 'user' | 'lead', externalId: string | null) {
  const contact: IntercomContact = {
    type: 'contact',
    id,
    external_id: externalId,
    role,
    email,
    name,
    phone: null,
    created_at: SEED_EPOCH - 90 * 24 * HOUR,
    updated_at: SEED_EPOCH - 24 * HOUR,
    last_seen_at: SEED_EPOCH - 2 * HOUR,
  };
  return contact;
}

function adminAuthor(admin: IntercomAdmin): IntercomAuthor {
  return { type: 'admin', id: admin.id, name: admin.name, email: admin.email };
}

function contactAuthor(contact: IntercomContact): IntercomAuthor {
  return { type: 'user', id: contact.id, name: contact.name, email: contact.email };
}

function makePart(
  id: string,
  partType: string,
  author: IntercomAuthor,
  body: string | null,
  createdAt: number,
): IntercomConversationPart {
  return {
    type: 'conversation_part',
    id,
    part_type: partType,
    body,
    created_at: createdAt,
    updated_at: createdAt,
    author,
    assigned_to: null,
    redacted: false,
  };
}

interface SeedConversation {
  id: string;
  contact: IntercomContact;
  subject: string;
  body: string;
  createdAt: number;
  state: IntercomConversation['state'];
  assignee: IntercomAdmin | null;
  tags?: IntercomTag[];
  parts: Array<[partType: string, author: IntercomAuthor, body: string | null]>;
}

function makeConversation(seed: SeedConversation): IntercomConversation {
  const parts = seed.parts.map(([partType, author, body], index) =>
    makePart(
      `${seed.id}${String(index + 1).padStart(2, '0')}`,
      partType,
      author,
      body,
      seed.createdAt + (index + 1) * HOUR,
    ),
  );
  return {
    type: 'conversation',
    id: seed.id,
    title: seed.subject,
    created_at: seed.createdAt,
    updated_at: parts.at(-1)?.created_at ?? seed.createdAt,
    open: seed.state !== 'closed',
    state: seed.state,
    read: true,
    priority: 'not_priority',
    snoozed_until: seed.state === 'snoozed' ? SEED_EPOCH + 7 * 24 * HOUR : null,
    admin_assignee_id: seed.assignee?.id ?? null,
    team_assignee_id: null,
    source: {
      type: 'conversation',
      id: `src${seed.id}`,
      delivered_as: 'customer_initiated',
      subject: seed.subject,
      body: seed.body,
      author: contactAuthor(seed.contact),
      redacted: false,
    },
    contacts: {
      type: 'contact.list',
      contacts: [{ type: 'contact', id: seed.contact.id, external_id: seed.contact.external_id }],
    },
    tags: { type: 'tag.list', tags: [...(seed.tags ?? [])] },
    custom_attributes: {},
    conversation_parts: { type: 'conversation_part.list', conversation_parts: parts, total_count: parts.length },
  };
}

function seedWorkspace(workspace: IntercomWorkspace): void {
  const alice = makeAdmin('991001', 'Alice Support', 'alice@acme-support.example');
  const bob = makeAdmin('991002', 'Bob Agent', 'bob@acme-support.example');
  workspace.admins.push(alice, bob);

  const tag = (id: string, name: string): IntercomTag => ({ type: 'tag', id, name });
  const billing = tag('81001', 'billing');
  const bug = tag('81002', 'bug');
  const vip = tag('81003', 'vip');
  const urgent = tag('81004', 'urgent');
  workspace.tags.push(billing, bug, vip, urgent);

  const john = makeContact('6650a1b2c3d4e5f600000001', 'john@acme.com', 'John Smith', 'user', 'acme-42');
  const jane = makeContact('6650a1b2c3d4e5f600000002', 'jane@x.com', 'Jane Doe', 'user', null);
  const carlos = makeContact('6650a1b2c3d4e5f600000003', 'carlos@globex.example', 'Carlos Díaz', 'user', 'globex-7');
  const lead = makeContact('6650a1b2c3d4e5f600000004', 'lead@prospect.example', null, 'lead', null);
  workspace.contacts.push(john, jane, carlos, lead);

  workspace.conversations.push(
    makeConversation({
      id: '215470001',
      contact: john,
      subject: "Can't log in after resetting my password",
      body: '<p>Hi, I reset my password but the login page keeps saying it is wrong.</p>',
      createdAt: SEED_EPOCH - 48 * HOUR,
      state: 'open',
      assignee: null,
      tags: [bug],
      parts: [
        [
          'comment',
          adminAuthor(alice),
          '<p>Sorry about that! Could you try clearing your cookies and logging in again?</p>',
        ],
        ['comment', contactAuthor(john), '<p>Still broken, same error.</p>'],
      ],
    }),
    makeConversation({
      id: '215470002',
      contact: john,
      subject: 'Question about my March invoice',
      body: '<p>Why was I charged twice in March?</p>',
      createdAt: SEED_EPOCH - 30 * 24 * HOUR,
      state: 'closed',
      assignee: alice,
      tags: [billing],
      parts: [
        ['comment', adminAuthor(alice), '<p>The second charge was a pre-authorisation and has been released.</p>'],
        ['close', adminAuthor(alice), null],
      ],
    }),
    makeConversation({
      id: '215470003',
      contact: jane,
      subject: 'Feature request: dark mode',
      body: '<p>Any plans for a dark mode?</p>',
      createdAt: SEED_EPOCH - 10 * 24 * HOUR,
      state: 'snoozed',
      assignee: bob,
      parts: [['note', adminAuthor(bob), '<p>Logged as FR-118, snoozing until the roadmap review.</p>']],
    }),
    makeConversation({
      id: '215470004',
      contact: carlos,
      subject: 'Refund for duplicate charge',
      body: '<p>I was billed twice for the annual plan, please refund one of them.</p>',
      createdAt: SEED_EPOCH - 5 * HOUR,
      state: 'open',
      assignee: null,
      tags: [billing, urgent],
      parts: [],
    }),
  );

  workspace.notes.push({
    type: 'note',
    id: '61001',
    created_at: SEED_EPOCH - 20 * 24 * HOUR,
    contact: { type: 'contact', id: john.id },
    author: alice,
    body: '<p>Enterprise customer, renewal due in Q2.</p>',
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Tool handlers

function notFound(what: string): IntercomApiError {
  return new IntercomApiError(404, 'not_found', `${what} Not Found`);
}

function invalid(message: string): IntercomApiError {
  return new IntercomApiError(400, 'parameter_invalid', message);
}

function stringParam(params: ToolParams, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === null || value === '') return undefined;
  return String(value);
}

function requireString(params: ToolParams, name: string): string {
  const value = stringParam(params, name);
  if (value === undefined) throw invalid(`${name} is required`);
  return value;
}

function requireConversation(workspace: IntercomWorkspace, params: ToolParams): IntercomConversation {
  const conversation = workspace.findConversation(requireString(params, 'conversation_id'));
  if (!conversation) throw notFound('Conversation');
  return conversation;
}

function requireAdmin(workspace: IntercomWorkspace, id: string): IntercomAdmin {
  const admin = workspace.findAdmin(id);
  if (!admin) throw notFound('Admin');
  return admin;
}

function asHtml(body: string): string {
  return body.trimStart().startsWith('<') ? body : `<p>${body}</p>`;
}

function toPlaintext(html: string | null): string | null {
  if (html === null) return null;
  return html
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<[^>]*>/g, '')
    .replaceAll('&nbsp;', ' ')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&')
    .trim();
}

function appendPart(conversation: IntercomConversation, part: IntercomConversationPart): void {
  conversation.conversation_parts.conversation_parts.push(part);
  conversation.conversation_parts.total_count = conversation.conversation_parts.conversation_parts.length;
  conversation.updated_at = part.created_at;
}

/** Search and list responses carry conversations without their parts, as Intercom's do. */
function summarize(conversation: IntercomConversation): Omit<IntercomConversation, 'conversation_parts'> {
  const { conversation_parts: _parts, ...summary } = structuredClone(conversation);
  return summary;
}

interface Page<T> {
  items: T[];
  pages: Record<string, unknown>;
}

function paginate<T>(items: T[], perPageParam: unknown, startingAfter: unknown, defaultPerPage: number): Page<T> {
  const perPage = Math.min(Math.max(Number(perPageParam) || defaultPerPage, 1), 150);
  let offset = 0;
  if (startingAfter !== undefined && startingAfter !== null && startingAfter !== '') {
    offset = Number(Buffer.from(String(startingAfter), 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) throw invalid('starting_after is not a valid cursor');
  }
  const pageItems = items.slice(offset, offset + perPage);
  const next = offset + perPage < items.length ? offset + perPage : undefined;
  return {
    items: pageItems,
    pages: {
      type: 'pages',
      page: Math.floor(offset / perPage) + 1,
      per_page: perPage,
      total_pages: Math.max(1, Math.ceil(items.length / perPage)),
      ...(next !== undefined && {
        next: { page: Math.floor(next / perPage) + 1, starting_after: Buffer.from(String(next)).toString('base64url') },
      }),
    },
  };
}

function paginationOf(params: ToolParams): { per_page?: unknown; starting_after?: unknown } {
  const pagination = params.pagination;
  return pagination && typeof pagination === 'object' ? pagination : {};
}

type FieldResolver<T> = (record: T, field: string) => unknown;

function dottedPath(record: unknown, field: string): unknown {
  let value: unknown = record;
  for (const key of field.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

function normalise(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return String(value).toLowerCase();
}

function compare(actual: unknown, operator: string, expected: unknown): boolean {
  if (Array.isArray(actual)) {
    // Array fields (contact_ids, tag_ids) match when any element does; negations must hold for all of them.
    if (operator === '!=' || operator === 'NIN') {
      return !actual.some((item) => compare(item, operator === '!=' ? '=' : 'IN', expected));
    }
    return actual.some((item) => compare(item, operator, expected));
  }
  const text = normalise(actual) ?? '';
  const wanted = normalise(expected) ?? '';
  switch (operator) {
    case '=':
      return normalise(actual) === normalise(expected);
    case '!=':
      return normalise(actual) !== normalise(expected);
    case 'IN':
    case 'NIN': {
      if (!Array.isArray(expected)) throw invalid(`${operator} expects an array value`);
      const found = expected.some((item) => normalise(item) === normalise(actual));
      return operator === 'IN' ? found : !found;
    }
    case '>':
      return Number(actual) > Number(expected);
    case '<':
      return Number(actual) < Number(expected);
    case '~':
      return text.includes(wanted);
    case '!~':
      return !text.includes(wanted);
    case '^':
      return text.startsWith(wanted);
    case '$':
      return text.endsWith(wanted);
    default:
      throw invalid(`Unsupported operator ${operator}`);
  }
}

function matchesQuery<T>(record: T, query: unknown, resolve: FieldResolver<T>): boolean {
  if (!query || typeof query !== 'object' || Array.isArray(query)) throw invalid('query must be an object');
  const { field, operator, value } = query as Record<string, unknown>;
  if (operator === 'AND' || operator === 'OR') {
    if (!Array.isArray(value)) throw invalid(`${operator} expects an array of filters`);
    return operator === 'AND'
      ? value.every((nested) => matchesQuery(record, nested, resolve))
      : value.some((nested) => matchesQuery(record, nested, resolve));
  }
  if (typeof field !== 'string' || typeof operator !== 'string') throw invalid('query needs field and operator');
  return compare(resolve(record, field), operator, value);
}

const resolveConversationField: FieldResolver<IntercomConversation> = (conversation, field) => {
  switch (field) {
    case 'contact_ids':
      return conversation.contacts.contacts.map((contact) => contact.id);
    case 'tag_ids':
      return conversation.tags.tags.map((tag) => tag.id);
    default:
      return dottedPath(conversation, field);
  }
};

const searchContacts: ToolHandler = (params, { workspace }) => {
  const matching = workspace.contacts.filter((contact) => matchesQuery(contact, params.query, dottedPath));
  const { per_page, starting_after } = paginationOf(params);
  const page = paginate(matching, per_page, starting_after, 50);
  return { type: 'list', data: structuredClone(page.items), total_count: matching.length, pages: page.pages };
};

const searchConversations: ToolHandler = (params, { workspace }) => {
  const matching = workspace.conversations.filter((conversation) =>
    matchesQuery(conversation, params.query, resolveConversationField),
  );
  const { per_page, starting_after } = paginationOf(params);
  const page = paginate(matching, per_page, starting_after, 20);
  return {
    type: 'conversation.list',
    conversations: page.items.map(summarize),
    total_count: matching.length,
    pages: page.pages,
  };
};

const listConversations: ToolHandler = (params, { workspace }) => {
  const newestFirst = [...workspace.conversations].sort((a, b) => b.updated_at - a.updated_at);
  const page = paginate(newestFirst, params.per_page, params.starting_after, 20);
  return {
    type: 'conversation.list',
    conversations: page.items.map(summarize),
    total_count: newestFirst.length,
    pages: page.pages,
  };
};

const retrieveConversation: ToolHandler = (params, { workspace }) => {
  const conversation = structuredClone(requireConversation(workspace, params));
  if (params.display_as === 'plaintext') {
    conversation.source.body = toPlaintext(conversation.source.body) ?? '';
    for (const part of conversation.conversation_parts.conversation_parts) part.body = toPlaintext(part.body);
  }
  return conversation;
};

const replyToConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  const admin = requireAdmin(workspace, requireString(params, 'admin_id'));
  const body = stringParam(params, 'body');
  if (body === undefined) throw invalid('body is required');
  let author = adminAuthor(admin);
  if (params.type === 'user') {
    const contactRef = conversation.contacts.contacts[0];
    const contact = contactRef && workspace.findContact(contactRef.id);
    if (!contact) throw invalid('conversation has no contact to reply as');
    author = contactAuthor(contact);
  }
  const createdAt = typeof params.created_at === 'number' ? params.created_at : workspace.nowSeconds();
  appendPart(conversation, makePart(workspace.newId(), String(params.message_type), author, asHtml(body), createdAt));
  return structuredClone(conversation);
};

const manageConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  const admin = requireAdmin(workspace, requireString(params, 'admin_id'));
  const body = stringParam(params, 'body');
  const part = makePart(
    workspace.newId(),
    String(params.message_type),
    adminAuthor(admin),
    body === undefined ? null : asHtml(body),
    workspace.nowSeconds(),
  );
  switch (params.message_type) {
    case 'close':
      Object.assign(conversation, { state: 'closed', open: false, snoozed_until: null });
      break;
    case 'open':
      Object.assign(conversation, { state: 'open', open: true, snoozed_until: null });
      break;
    case 'snoozed': {
      const until = Number(params.snoozed_until);
      if (!Number.isInteger(until) || until <= 0) throw invalid('snoozed_until is required to snooze');
      Object.assign(conversation, { state: 'snoozed', open: true, snoozed_until: until });
      break;
    }
    case 'assignment': {
      const assigneeId = requireString(params, 'assignee_id');
      // Intercom uses assignee_id 0 to unassign.
      if (assigneeId === '0') {
        conversation.admin_assignee_id = null;
      } else {
        requireAdmin(workspace, assigneeId);
        conversation.admin_assignee_id = assigneeId;
        part.assigned_to = { type: 'admin', id: assigneeId };
      }
      break;
    }
    default:
      throw invalid(`unknown message_type ${String(params.message_type)}`);
  }
  appendPart(conversation, part);
  return structuredClone(conversation);
};

const attachTagToConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  requireAdmin(workspace, requireString(params, 'admin_id'));
  const tag = workspace.findTag(requireString(params, 'id'));
  if (!tag) throw notFound('Tag');
  if (!conversation.tags.tags.some((existing) => existing.id === tag.id)) conversation.tags.tags.push({ ...tag });
  return { ...tag };
};

const detachTagFromConversation: ToolHandler = (params, { workspace }) => {
  const conversation = requireConversation(workspace, params);
  requireAdmin(workspace, requireString(params, 'admin_id'));
  const tag = workspace.findTag(requireString(params, 'tag_id'));
  if (!tag) throw notFound('Tag');
  conversation.tags.tags = conversation.tags.tags.filter((existing) => existing.id !== tag.id);
  return { ...tag };
};

const createContactNote: ToolHandler = (params, { workspace, identifier }) => {
  const contact = workspace.findContact(requireString(params, 'contact_id'));
  if (!contact) throw notFound('User');
  const adminId = stringParam(params, 'admin_id');
  // Without admin_id Intercom attributes the note to the admin who owns the access token.
  const author = adminId === undefined ? workspace.adminFor(identifier) : requireAdmin(workspace, adminId);
  const note: IntercomNote = {
    type: 'note',
    id: workspace.newId(),
    created_at: workspace.nowSeconds(),
    contact: { type: 'contact', id: contact.id },
    author,
    body: asHtml(requireString(params, 'body')),
  };
  workspace.notes.push(note);
  return structuredClone(note);
};

const listContactNotes: ToolHandler = (params, { workspace }) => {
  const contactId = requireString(params, 'contact_id');
  if (!workspace.findContact(contactId)) throw notFound('User');
  const notes = workspace.notes.filter((note) => note.contact.id === contactId);
  return { type: 'list', data: structuredClone(notes), total_count: notes.length };
};

const retrieveContact: ToolHandler = (params, { workspace }) => {
  const contact = workspace.findContact(requireString(params, 'contact_id'));
  if (!contact) throw notFound('User');
  return structuredClone(contact);
};

const deleteContact: ToolHandler = (params, { workspace }) => {
  const index = workspace.contacts.findIndex((contact) => contact.id === requireString(params, 'contact_id'));
  const [contact] = index === -1 ? [] : workspace.contacts.splice(index, 1);
  if (!contact) throw notFound('User');
  return { id: contact.id, external_id: contact.external_id, type: 'contact', deleted: true };
};

const identifyAdmin: ToolHandler = (_params, { workspace, identifier }) => {
  const admin = workspace.adminFor(identifier);
  return {
    type: 'admin',
    id: admin.id,
    email: admin.email,
    name: admin.name,
    email_verified: true,
    app: {
      type: 'app',
      id_code: 'emu1a2b3',
      name: 'Emulated Support Workspace',
      created_at: SEED_EPOCH - 365 * 24 * HOUR,
      secure: false,
      identity_verification: false,
      timezone: 'Europe/London',
      region: 'US',
    },
    avatar: { type: 'avatar', image_url: null },
    has_inbox_seat: admin.has_inbox_seat,
  };
};

const listAdmins: ToolHandler = (_params, { workspace }) => ({
  type: 'admin.list',
  admins: structuredClone(workspace.admins),
});

const retrieveAdmin: ToolHandler = (params, { workspace }) =>
  structuredClone(requireAdmin(workspace, requireString(params, 'admin_id')));

const listTags: ToolHandler = (_params, { workspace }) => ({ type: 'list', data: structuredClone(workspace.tags) });

/** Behaviour for the support tools; tools without a handler answer `{ ok: true }`. */
export const intercomHandlers: Readonly<Record<string, ToolHandler>> = {
  intercom_search_contacts: searchContacts,
  intercom_search_conversations: searchConversations,
  intercom_list_conversations: listConversations,
  intercom_retrieve_conversation: retrieveConversation,
  intercom_reply_to_conversation: replyToConversation,
  intercom_manage_conversation: manageConversation,
  intercom_attach_tag_to_conversation: attachTagToConversation,
  intercom_detach_tag_from_conversation: detachTagFromConversation,
  intercom_create_contact_note: createContactNote,
  intercom_list_contact_notes: listContactNotes,
  intercom_retrieve_contact: retrieveContact,
  intercom_delete_contact: deleteContact,
  intercom_identify_admin: identifyAdmin,
  intercom_list_admins: listAdmins,
  intercom_retrieve_admin: retrieveAdmin,
  intercom_list_tags: listTags,
};
