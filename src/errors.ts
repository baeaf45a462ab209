/** The bot cannot start; the message is for the operator and is printed without a stack trace. */
export class StartupError extends Error {
  override name = 'StartupError';
}
