/** The shapes shared by the Intercom tool catalogue, its handlers and the Scalekit stand-in that serves them. */
import type { IntercomWorkspace } from './workspace.ts';

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
