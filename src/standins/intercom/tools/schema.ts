/** Building blocks for the catalogue's JSON Schemas. */
import type { JsonSchema, ToolAnnotations } from '../types.ts';

export const versionProperties: Record<string, JsonSchema> = {
  schema_version: { type: 'string', description: 'Schema version' },
  tool_version: { type: 'string', description: 'Tool version' },
};

export function objectSchema(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  return { type: 'object', properties: { ...properties, ...versionProperties }, required };
}

export const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  description,
  ...extra,
});

/** The schema of a tool that takes just one id, required. */
export function idSchema(name: string, description: string): JsonSchema {
  return objectSchema({ [name]: str(description) }, [name]);
}
export const int = (description: string): JsonSchema => ({ type: 'integer', description });
export const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
export const obj = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  description,
  ...extra,
});
export const arr = (description: string, items: JsonSchema = {}): JsonSchema => ({ type: 'array', description, items });

export const searchQuery = obj(
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

export const searchPagination = obj('Pagination object with optional per_page and starting_after cursor.', {
  properties: {
    per_page: int('Number of results per page (max 150).'),
    starting_after: str('Cursor from pages.next.starting_after of the previous response.'),
  },
});

export const readOnly: ToolAnnotations = { read_only_hint: true, destructive_hint: false, open_world_hint: true };
export const destructive: ToolAnnotations = { read_only_hint: false, destructive_hint: true, open_world_hint: true };
