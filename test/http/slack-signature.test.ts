import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseSlackBody } from '../../src/http/slack-body.ts';
import { isSlackSslCheck, SlackSignatureError, verifySlackSignature } from '../../src/http/slack-signature.ts';

const secret = 'unit-test-signing-secret';
const nowSeconds = 1_800_000_000;
const now = () => nowSeconds * 1000;

function sign(body: Buffer, timestamp: number, signingSecret = secret): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

function headersFor(body: Buffer, timestamp = nowSeconds, signingSecret = secret) {
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': sign(body, timestamp, signingSecret),
  };
}

function reasonOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(SlackSignatureError);
    return (error as SlackSignatureError).reason;
  }
}

describe('verifySlackSignature', () => {
  const body = Buffer.from('{"type":"event_callback"}');

  it('accepts a body signed with the secret at a timestamp within five minutes either way', () => {
    for (const skew of [0, -300, 300]) {
      const timestamp = nowSeconds + skew;
      expect(
        reasonOf(() =>
          verifySlackSignature({ signingSecret: secret, body, headers: headersFor(body, timestamp), now }),
        ),
      ).toBeUndefined();
    }
  });

  it('checks the bytes as sent: a body that is not valid UTF-8 still verifies, and one changed byte does not', () => {
    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x80, 0x7d]);
    const headers = headersFor(bytes);
    expect(reasonOf(() => verifySlackSignature({ signingSecret: secret, body: bytes, headers, now }))).toBeUndefined();
    const changed = Buffer.from([0x7b, 0xff, 0xfe, 0x81, 0x7d]);
    expect(reasonOf(() => verifySlackSignature({ signingSecret: secret, body: changed, headers, now }))).toBe(
      'wrong signature',
    );
  });

  it('refuses a request signed with another secret', () => {
    const headers = headersFor(body, nowSeconds, 'another-secret');
    expect(reasonOf(() => verifySlackSignature({ signingSecret: secret, body, headers, now }))).toBe('wrong signature');
  });

  it('refuses timestamps more than five minutes old or ahead, even when correctly signed', () => {
    for (const skew of [-301, 301, -86_400]) {
      const headers = headersFor(body, nowSeconds + skew);
      expect(reasonOf(() => verifySlackSignature({ signingSecret: secret, body, headers, now }))).toBe(
        'stale timestamp',
      );
    }
  });

  it('refuses missing, repeated and malformed headers before computing anything', () => {
    const good = headersFor(body);
    const cases: Array<[Record<string, string | string[] | undefined>, string]> = [
      [{}, 'missing signature'],
      [{ 'x-slack-signature': good['x-slack-signature'] }, 'missing signature'],
      [{ ...good, 'x-slack-signature': [good['x-slack-signature'], good['x-slack-signature']] }, 'missing signature'],
      [{ ...good, 'x-slack-signature': 'v0=deadbeef' }, 'malformed signature'],
      [{ ...good, 'x-slack-signature': good['x-slack-signature'].replace('v0=', 'v1=') }, 'malformed signature'],
      [{ ...good, 'x-slack-request-timestamp': '1.8e9' }, 'malformed signature'],
      [{ ...good, 'x-slack-request-timestamp': '' }, 'malformed signature'],
    ];
    for (const [headers, reason] of cases) {
      expect(reasonOf(() => verifySlackSignature({ signingSecret: secret, body, headers, now }))).toBe(reason);
    }
  });

  it('never accepts anything when no signing secret is configured', () => {
    const headers = headersFor(body, nowSeconds, '');
    expect(reasonOf(() => verifySlackSignature({ signingSecret: '', body, headers, now }))).toBe('missing signature');
  });
});

describe('isSlackSslCheck', () => {
  const form = 'application/x-www-form-urlencoded';
  it("recognises Slack's unsigned certificate probe and nothing that carries more", () => {
    expect(isSlackSslCheck(Buffer.from('ssl_check=1&token=abc123'), form)).toBe(true);
    expect(isSlackSslCheck(Buffer.from('ssl_check=1'), `${form}; charset=utf-8`)).toBe(true);
    expect(isSlackSslCheck(Buffer.from('ssl_check=1&token=abc123'), 'application/json')).toBe(false);
    expect(isSlackSslCheck(Buffer.from('ssl_check=1&payload=%7B%7D'), form)).toBe(false);
    expect(isSlackSslCheck(Buffer.from('ssl_check=1&command=%2Fx'), form)).toBe(false);
    expect(isSlackSslCheck(Buffer.from('ssl_check=0&token=abc'), form)).toBe(false);
    expect(isSlackSslCheck(Buffer.from('ssl_check=1&token=a%26payload%3D1'), form)).toBe(false);
  });
});

describe('parseSlackBody', () => {
  it('hands Bolt the first value of a repeated form field, the one the shape check looked at', () => {
    const parsed = parseSlackBody(
      'command=%2Fconnect-intercom&command=%2Fother&user_id=U1&team_id=T1&__proto__=x',
      'application/x-www-form-urlencoded',
    );
    expect(parsed).toEqual({
      ok: true,
      body: { command: '/connect-intercom', user_id: 'U1', team_id: 'T1', ['__proto__']: 'x' },
    });
    if (parsed.ok && 'body' in parsed) expect(Object.getPrototypeOf(parsed.body)).toBe(Object.prototype);
  });

  it('says why a body cannot be from Slack', () => {
    expect(parseSlackBody('{"type": 1}', 'application/json')).toMatchObject({ ok: false, status: 400 });
    expect(parseSlackBody('hello', 'text/plain')).toEqual({
      ok: false,
      status: 415,
      problem: 'unsupported content type',
    });
  });
});
