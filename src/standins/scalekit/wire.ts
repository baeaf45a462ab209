/** The wire details of Scalekit's API: paging, tool definitions as Structs, request logs and typed errors. */
import { createHash } from 'node:crypto';
import type { JsonObject } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { ErrorInfoSchema } from '../../scalekit/sdk-internals.ts';
import type { IntercomApiError, JsonSchema, ToolDefinition, ToolParams } from '../intercom/types.ts';
import type { ToolFailureKind } from './types.ts';

export const PROVIDER = 'INTERCOM';
export const DEFAULT_PAGE_SIZE = 50;
// Not documented; capping forces callers to follow nextPageToken, which Intercom's 113 tools need anyway.
const MAX_PAGE_SIZE = 100;

export const TOOL_FAILURES: Record<ToolFailureKind, { code: Code; status: string; message: string }> = {
  unauthorized: { code: Code.Unauthenticated, status: '401', message: 'Access Token Invalid' },
  forbidden: { code: Code.PermissionDenied, status: '403', message: 'Token lacks the scope required for this request' },
  rate_limited: { code: Code.ResourceExhausted, status: '429', message: 'Rate Limit Exceeded' },
  error: { code: Code.Internal, status: '500', message: 'Internal Server Error' },
};

export interface Page<T> {
  items: T[];
  nextPageToken: string;
  prevPageToken: string;
}

export function paginate<T>(items: T[], pageSize: number, pageToken: string, defaultPageSize: number): Page<T> {
  const size = Math.min(pageSize > 0 ? pageSize : defaultPageSize, MAX_PAGE_SIZE);
  const offset = pageToken ? Number(Buffer.from(pageToken, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0 || offset > items.length) {
    throw new ConnectError('invalid page_token', Code.InvalidArgument);
  }
  const token = (at: number) => Buffer.from(String(at)).toString('base64url');
  return {
    items: items.slice(offset, offset + size),
    nextPageToken: offset + size < items.length ? token(offset + size) : '',
    prevPageToken: offset > 0 ? token(Math.max(0, offset - size)) : '',
  };
}

export function toolId(name: string): string {
  return `tool_${createHash('sha256').update(name).digest('hex').slice(0, 20)}`;
}

export function toolDefinition(tool: ToolDefinition): JsonObject {
  return toJsonObject({
    name: tool.name,
    description: tool.description,
    input_schema: tool.input_schema,
    ...(tool.annotations && { annotations: tool.annotations }),
  });
}

/** Struct fields only take JSON: drops undefined, turns class instances into plain data. */
export function toJsonObject(value: unknown): JsonObject {
  const json: unknown = JSON.parse(JSON.stringify(value ?? null));
  return json !== null && typeof json === 'object' && !Array.isArray(json)
    ? (json as JsonObject)
    : { result: json as null };
}

// Create/Update requests carry the OAuth credentials inside `connectedAccount`, so that field is never logged.
export const UNLOGGED_REQUEST_FIELDS = new Set(['connectedAccount']);

export function describeRequest(message: object): Record<string, unknown> {
  const plain = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(plain);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, field]) => !key.startsWith('$') && field !== undefined)
        .map(([key, field]) => [key, plain(field)]),
    );
  };
  const request = plain(message) as Record<string, unknown>;
  for (const field of UNLOGGED_REQUEST_FIELDS) {
    if (field in request) request[field] = '[redacted]';
  }
  return request;
}

/** Minimal JSON Schema check (required, type, enum) standing in for Scalekit's input validation. */
export function validateParams(schema: JsonSchema, params: ToolParams): string | undefined {
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const missing = required.filter((name) => params[name] === undefined || params[name] === null);
  if (missing.length) return `missing required ${missing.join(', ')}`;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, value] of Object.entries(params)) {
    const property = properties[name];
    if (!property || value === null) continue;
    if (typeof property.type === 'string' && !hasJsonType(value, property.type)) {
      return `${name} must be of type ${property.type}`;
    }
    if (Array.isArray(property.enum) && !property.enum.includes(value)) {
      return `${name} must be one of ${property.enum.join(', ')}`;
    }
  }
  return undefined;
}

export function hasJsonType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}

export function toolError(
  failure: { code: Code; status: string; message: string },
  executionId: string,
  message?: string,
) {
  const toolErrorMessage = message ?? failure.message;
  return new ConnectError(toolErrorMessage, failure.code, undefined, [
    {
      desc: ErrorInfoSchema,
      value: {
        errorCode: 'TOOL_ERROR',
        toolErrorInfo: { executionId, toolErrorCode: failure.status, toolErrorMessage },
      },
    },
  ]);
}

export function providerError(error: IntercomApiError, executionId: string): ConnectError {
  const byStatus: Record<number, Code> = {
    400: Code.InvalidArgument,
    401: Code.Unauthenticated,
    403: Code.PermissionDenied,
    404: Code.NotFound,
    422: Code.InvalidArgument,
    429: Code.ResourceExhausted,
  };
  const code = byStatus[error.status] ?? Code.Internal;
  return toolError({ code, status: String(error.status), message: error.message }, executionId);
}
