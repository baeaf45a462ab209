// Tool names, descriptions and parameters follow Scalekit's Intercom connector as listed in
// scalekit-inc/developer-docs (src/data/agent-connectors/intercom.ts, 113 tools). The docs list parameters, not
// the raw schemas, so the JSON Schemas below are our reconstruction of what `definition.input_schema` carries.
import type { ToolDefinition } from '../types.ts';
import {
  bool,
  destructive,
  idSchema,
  int,
  obj,
  objectSchema,
  readOnly,
  searchPagination,
  searchQuery,
  str,
} from './schema.ts';

/** Conversations, and the searches that lead to them. */
export const conversationTools: ToolDefinition[] = [
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
        // Not in Scalekit's parameter list; Intercom's Update a conversation API takes it.
        priority: str("'priority' or 'not_priority'.", { enum: ['priority', 'not_priority'] }),
      },
      ['conversation_id'],
    ),
  },
  {
    name: 'intercom_auto_assign_conversation',
    description: "Run the workspace's assignment rules on a conversation to automatically assign it.",
    input_schema: idSchema('conversation_id', 'The Intercom ID of the conversation to auto-assign.'),
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
];
