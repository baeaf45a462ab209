import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.ts';

const SECRET = 'xoxb-1234567890-secret';

function capture(secrets: readonly string[] = [SECRET]) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', secrets, write: (line) => lines.push(line), now: () => 0 });
  return { logger, lines, text: () => lines.join('') };
}

describe('the secret scrubber', () => {
  it('redacts a secret in a plain message', () => {
    const { logger, lines } = capture();
    logger.info(`calling Slack with ${SECRET} now`);
    expect(lines[0]).not.toContain(SECRET);
    expect(JSON.parse(lines[0] ?? '').msg).toBe('calling Slack with [redacted] now');
  });

  it('redacts a secret anywhere in a context object, however deeply nested, keys included', () => {
    const { logger, text } = capture();
    logger.warn('request failed', {
      request: { headers: { authorization: `Bearer ${SECRET}` }, params: [{ token: SECRET }] },
      [SECRET]: 'as a key',
    });
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain('Bearer [redacted]');
  });

  it("redacts a secret inside an Error's message and stack, and inside its cause", () => {
    const { logger, text } = capture();
    const cause = Object.assign(new Error(`invalid token ${SECRET}`), { code: 'E_AUTH' });
    logger.error('Slack call failed', new Error(`wrapped: ${SECRET}`, { cause }));
    expect(text()).not.toContain(SECRET);
    const record = JSON.parse(text());
    expect(record.err.message).toBe('wrapped: [redacted]');
    expect(record.err.cause).toMatchObject({ message: 'invalid token [redacted]', code: 'E_AUTH' });
  });

  it('redacts an Error nested in a context object (SDK errors often arrive that way)', () => {
    const { logger, text } = capture();
    logger.error('call failed', { error: new Error(`boom ${SECRET}`), attempt: 2 });
    expect(text()).not.toContain(SECRET);
    expect(JSON.parse(text()).error.message).toBe('boom [redacted]');
  });

  it('redacts a secret with characters JSON escapes, as it appears in the written line', () => {
    const awkward = 'abc"def\\ghi';
    const { logger, text } = capture([awkward]);
    logger.info('value', { awkward });
    expect(JSON.parse(text()).awkward).toBe('[redacted]');
  });

  it('leaves secrets shorter than 6 characters alone', () => {
    // A value that short (a stray "x" or "test" from a careless .env) would match inside ordinary words and
    // timestamps all over the log and make it unreadable, while protecting nothing: real tokens and secrets are long.
    const { logger, text } = capture(['test', '', SECRET]);
    logger.info('a test line with a timestamp', { latest: 'testing' });
    const record = JSON.parse(text());
    expect(record.msg).toBe('a test line with a timestamp');
    expect(record.latest).toBe('testing');
  });

  it('keeps redacting in child loggers', () => {
    const { logger, text } = capture();
    logger.child({ upstream: 'Slack' }).info('token was', SECRET);
    expect(text()).not.toContain(SECRET);
    expect(JSON.parse(text())).toMatchObject({ upstream: 'Slack', msg: 'token was [redacted]' });
  });
});
