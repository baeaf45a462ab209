import type { JsonSchema, ToolAnnotations, ToolDefinition } from '../types.ts';
import { destructive, objectSchema } from './schema.ts';

// The remaining connector tools matter for paging and tool-selection tests, not for their behaviour, so they are
// kept compact: `params` is space-separated `name[*][:type]` (`*` = required, type defaults to string).
type CompactTool = readonly [name: string, description: string, params?: string, annotations?: ToolAnnotations];

// biome-ignore format: one tool per line keeps this readable as a table
export const otherTools: CompactTool[] = [
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

export function expandCompactTool([name, description, params = '', annotations]: CompactTool): ToolDefinition {
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
