import { ScalekitUnavailableError } from '../errors.ts';

/** What to tell a person when their request failed: what happened and what to do, never raw error text. */
export function replyForError(error: unknown): string {
  if (error instanceof ScalekitUnavailableError) {
    return "I couldn't reach the service that holds your Intercom connection (Scalekit). Nothing was changed; please try again in a minute.";
  }
  return 'Sorry, something went wrong on my side while handling that. Please try again in a moment.';
}
