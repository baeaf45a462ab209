import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bindingKey, CONNECT_PATH, type ConnectService, VERIFY_PATH } from '../../src/connect/connect-service.ts';
import { createConnectRoutes } from '../../src/http/connect-routes.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/logger.ts';

const STATE = 'state-0123456789';

/** The connect routes on a loopback port, with a connect service that binds every step and records verifies. */
async function serve(publicUrl: string) {
  const secrets: Array<string | undefined> = [];
  const connect: ConnectService = {
    issueLink: async () => '',
    checkLink: async () => ({ ok: true }),
    openLink: async () => ({
      ok: true,
      location: 'http://127.0.0.1:1/consent',
      bind: { key: bindingKey(STATE), secret: 's3cret' },
    }),
    completeSignIn: async () => ({ ok: false, problem: 'bad_request' }),
    verify: async ({ browserSecret }) => {
      secrets.push(browserSecret);
      return { ok: false, problem: 'wrong_browser' };
    },
  };
  const logger = createLogger({ level: 'error', write: () => {} });
  const http = createHttpServer({ routes: [], logger });
  http.startServing({ routes: createConnectRoutes({ connect, publicUrl, onConnected: async () => {}, logger }) });
  await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  return { http, base, secrets };
}

let running: HttpServer | undefined;
afterEach(async () => {
  await new Promise((resolve) => running?.server.close(resolve));
  running = undefined;
});

describe('the flow cookie', () => {
  it.each([
    ['https://bot.example.com', '__Host-intercom_connect_', '; Secure'],
    ['http://127.0.0.1:3000', 'intercom_connect_', ''],
  ])('behind %s is named %s… and read back under that name', async (publicUrl, prefix, secure) => {
    const { http, base, secrets } = await serve(publicUrl);
    running = http;
    const opened = await fetch(`${base}${CONNECT_PATH.replace(':token', 'x'.repeat(43))}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(opened.status).toBe(303);
    const cookie = opened.headers.get('set-cookie') ?? '';
    const name = `${prefix}${bindingKey(STATE)}`;
    // __Host- cookies must be Secure, for Path=/ and without a Domain, or browsers drop them.
    expect(cookie).toBe(`${name}=s3cret; Path=/; Max-Age=1800; HttpOnly; SameSite=Lax${secure}`);

    await fetch(`${base}${VERIFY_PATH}?state=${STATE}&auth_request_id=a1`, { headers: { cookie: `${name}=s3cret` } });
    const other = prefix.startsWith('__Host-') ? 'intercom_connect_' : '__Host-intercom_connect_';
    await fetch(`${base}${VERIFY_PATH}?state=${STATE}&auth_request_id=a1`, {
      headers: { cookie: `${other}${bindingKey(STATE)}=planted` },
    });
    expect(secrets).toEqual(['s3cret', undefined]);
  });
});
