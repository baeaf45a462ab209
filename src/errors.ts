/** The bot cannot start; the message is for the operator and is printed without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** Scalekit could not be reached or refused us (not the user): the user is told to try again later. */
export class ScalekitUnavailableError extends Error {
  override name = 'ScalekitUnavailableError';
}

/** Scalekit refused to verify: the OAuth flow belongs to another identifier, or was used up already. */
export class VerifyRejectedError extends Error {
  override name = 'VerifyRejectedError';
  readonly reason: 'identifier_mismatch' | 'not_found';
  constructor(reason: 'identifier_mismatch' | 'not_found') {
    super(`Scalekit rejected the verification: ${reason}`);
    this.reason = reason;
  }
}

/** Why a tool call failed, in terms the bot acts on. */
export type ToolFailureKind = 'auth' | 'forbidden' | 'rate_limited' | 'failed';

/** An Intercom tool call failed at Scalekit or at Intercom; `message` is Intercom's, safe to show the model. */
export class ToolError extends Error {
  override name = 'ToolError';
  readonly kind: ToolFailureKind;
  readonly toolName: string;
  readonly executionId?: string;
  /** Intercom's HTTP status, when Scalekit passed it on ('404' for a conversation that is gone or not visible). */
  readonly status?: string;
  constructor(params: {
    kind: ToolFailureKind;
    toolName: string;
    message: string;
    executionId?: string;
    status?: string;
  }) {
    super(params.message);
    this.kind = params.kind;
    this.toolName = params.toolName;
    this.executionId = params.executionId;
    this.status = params.status;
  }
}

/** What to tell a person when their request failed: what happened and what to do, never raw error text. */
export function replyForError(error: unknown): string {
  if (error instanceof ScalekitUnavailableError) {
    return "I couldn't reach the service that holds your Intercom connection (Scalekit). Nothing was changed; please try again in a minute.";
  }
  return 'Sorry, something went wrong on my side while handling that. Please try again in a moment.';
}
