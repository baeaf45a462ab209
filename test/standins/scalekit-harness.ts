import { ScalekitClient } from '@scalekit-sdk/node';
import { afterEach, beforeEach, expect } from 'vitest';
import { type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';

export const USER = 'slack:T001:U001';
export const OTHER_USER = 'slack:T001:U002';
const VERIFY_URL = 'https://bot.example/scalekit/verify';

/** A fresh emulator per test and the real ScalekitClient pointed at it (registers the file's hooks). */
export function useScalekitEmulator() {
  let emulator: ScalekitEmulator;
  let scalekit: ScalekitClient;
  beforeEach(async () => {
    emulator = await startScalekitEmulator();
    scalekit = new ScalekitClient(emulator.url, emulator.clientId, emulator.clientSecret, { timeoutMs: 2000 });
  });
  afterEach(async () => {
    await emulator.close();
  });

  /** Plays the teammate's browser: opens the magic link and returns the redirect to the bot's verify route. */
  const consent = async (link: string): Promise<URL> => {
    const response = await fetch(link, { redirect: 'manual' });
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') ?? '');
  };

  return {
    get emulator() {
      return emulator;
    },
    get scalekit() {
      return scalekit;
    },
    verifyUrl: VERIFY_URL,
    consent,
    tokenRequests: (): number =>
      emulator.httpRequests.filter((r) => r.method === 'POST' && r.path === '/oauth/token').length,
    async connectThroughVerifyFlow(identifier: string): Promise<void> {
      const { link } = await scalekit.actions.getAuthorizationLink({
        connectionName: 'intercom',
        identifier,
        state: `state-${identifier}`,
        userVerifyUrl: VERIFY_URL,
      });
      const redirect = await consent(link);
      await scalekit.actions.verifyConnectedAccountUser({
        authRequestId: redirect.searchParams.get('auth_request_id') ?? '',
        identifier,
      });
    },
  };
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
