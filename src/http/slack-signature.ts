import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** Slack's own window: a request signed more than five minutes away from our clock is a replay or a broken clock. */
const MAX_SKEW_SECONDS = 5 * 60;

export type SlackSignatureProblem = 'missing signature' | 'malformed signature' | 'stale timestamp' | 'wrong signature';

/** The request is not provably from Slack; the caller answers 401 and looks no further at it. */
export class SlackSignatureError extends Error {
  override name = 'SlackSignatureError';
  readonly reason: SlackSignatureProblem;
  constructor(reason: SlackSignatureProblem) {
    super(`Slack request refused: ${reason}`);
    this.reason = reason;
  }
}

export interface SlackSignatureInput {
  signingSecret: string;
  /** The body exactly as received: Slack signs bytes, so nothing may decode or re-encode it first. */
  body: Buffer;
  headers: IncomingHttpHeaders;
  now: () => number;
}

/**
 * Slack's v0 request signature: `x-slack-signature` must be HMAC-SHA256(signing secret, `v0:<ts>:<raw body>`) and
 * `x-slack-request-timestamp` within five minutes of `now`. Throws SlackSignatureError; returns only for a request
 * that passes, so a caller cannot forget to look at the result.
 */
export function verifySlackSignature({ signingSecret, body, headers, now }: SlackSignatureInput): void {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (typeof signature !== 'string' || typeof timestamp !== 'string' || !signingSecret) {
    throw new SlackSignatureError('missing signature');
  }
  if (!/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) {
    throw new SlackSignatureError('malformed signature');
  }
  if (Math.abs(Math.floor(now() / 1000) - Number(timestamp)) > MAX_SKEW_SECONDS) {
    throw new SlackSignatureError('stale timestamp');
  }
  const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest();
  // Both are 32 bytes here (the format check above), which timingSafeEqual requires.
  if (!timingSafeEqual(expected, Buffer.from(signature.slice(3), 'hex'))) {
    throw new SlackSignatureError('wrong signature');
  }
}

/**
 * Slack's certificate probe for slash command URLs (`ssl_check=1`, optionally with the legacy verification token)
 * is the one request Slack sends unsigned; it must get a 200. Matched on the raw bytes, never parsed, and answered
 * with an empty body, so nothing it carries reaches the bot.
 */
export function isSlackSslCheck(body: Buffer, contentType: string | undefined): boolean {
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') return false;
  if (body.length > 200) return false;
  const fields = body.toString('latin1').split('&');
  return (
    fields.length <= 2 &&
    fields.includes('ssl_check=1') &&
    fields.every((field) => field === 'ssl_check=1' || /^token=[A-Za-z0-9]*$/.test(field))
  );
}
