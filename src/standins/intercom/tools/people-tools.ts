// Tool names, descriptions and parameters follow Scalekit's Intercom connector as listed in
// scalekit-inc/developer-docs (src/data/agent-connectors/intercom.ts, 113 tools). The docs list parameters, not
// the raw schemas, so the JSON Schemas below are our reconstruction of what `definition.input_schema` carries.
import type { ToolDefinition } from '../types.ts';
import { arr, bool, destructive, idSchema, int, obj, objectSchema, readOnly, str } from './schema.ts';

/** Contacts and notes, tickets, admins, tags, macros and articles. */
export const peopleTools: ToolDefinition[] = [
  {
    name: 'intercom_retrieve_contact',
    description: 'Retrieve a contact by their Intercom ID.',
    input_schema: idSchema('contact_id', 'The unique Intercom identifier for the contact.'),
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
    input_schema: idSchema('contact_id', 'The unique Intercom identifier for the contact to delete.'),
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
    input_schema: idSchema('ticket_id', 'The Intercom ID of the ticket.'),
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
    input_schema: idSchema('admin_id', 'The unique identifier of the admin.'),
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
    input_schema: idSchema('macro_id', 'The Intercom ID of the macro to retrieve.'),
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
