import type { ToolDefinition } from '../scalekit/scalekit-gateway.ts';

/** read: runs directly. write: changes Intercom, needs the requester's approval. off: never offered. */
export type ToolClass = 'read' | 'write' | 'off';

/** The support work the agent is for; anything else in Intercom's 100+ tools is left out of the model's view. */
const SUPPORT_TOOLS = new Set([
  'intercom_search_contacts',
  'intercom_retrieve_contact',
  'intercom_list_contact_notes',
  'intercom_search_conversations',
  'intercom_retrieve_conversation',
  'intercom_list_conversations',
  'intercom_search_tickets',
  'intercom_retrieve_ticket',
  'intercom_identify_admin',
  'intercom_list_admins',
  'intercom_list_teams',
  'intercom_list_tags',
  'intercom_list_macros',
  'intercom_get_macro',
  'intercom_search_articles',
  'intercom_reply_to_conversation',
  'intercom_create_contact_note',
  'intercom_attach_tag_to_conversation',
  'intercom_detach_tag_from_conversation',
  'intercom_manage_conversation',
  'intercom_update_conversation',
  'intercom_convert_conversation_to_ticket',
  'intercom_list_ticket_types',
  'intercom_reply_to_ticket',
  'intercom_update_ticket',
  'intercom_create_ticket',
  'intercom_create_contact',
  'intercom_update_contact',
  'intercom_attach_contact_to_conversation',
]);

// Irreversible or drastic: never offered, whatever the allowlist or annotations say.
const DESTRUCTIVE_NAME = /(delete|merge|redact|archive|erase|block|away)/;
const READ_NAME = /_(search|retrieve|list|get|identify)_/;

/**
 * Classifies a tool from its definition: destructive ones are off, the allowlisted ones are read or write by
 * their annotations, or by their names when Scalekit sends no annotations. `overrides` (from config) win, except
 * that nothing turns a destructive tool on.
 */
export function classifyTool(tool: ToolDefinition, overrides: Readonly<Record<string, ToolClass>> = {}): ToolClass {
  if (tool.annotations.destructive_hint === true || DESTRUCTIVE_NAME.test(tool.name)) return 'off';
  const override = overrides[tool.name];
  if (override) return override;
  if (!SUPPORT_TOOLS.has(tool.name)) return 'off';
  if (tool.annotations.read_only_hint === true) return 'read';
  if (tool.annotations.read_only_hint === false) return 'write';
  return READ_NAME.test(`${tool.name}_`) ? 'read' : 'write';
}

/** A tool's name as people read it: Scalekit's title, or the name in words. */
export function titleOf(definition: ToolDefinition): string {
  const title = definition.annotations.title;
  if (typeof title === 'string' && title.trim()) return title.trim();
  const words = definition.name.replace(/^intercom_/, '').replaceAll('_', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
