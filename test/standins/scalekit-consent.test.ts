import { ScalekitClient } from '@scalekit-sdk/node';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectorStatus, type ScalekitEmulator, startScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';

const VERIFY_URL = 'https://bot.example/verify';
let emulator: ScalekitEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function linkFor(identifier: string, options: { consentPage: boolean }) {
  emulator = await startScalekitEmulator(options);
  const scalekit = new ScalekitClient(emulator.url, emulator.clientId, emulator.clientSecret, { timeoutMs: 2000 });
  const { link } = await scalekit.actions.getAuthorizationLink({
    connectionName: 'intercom',
    identifier,
    state: 'the-state',
    userVerifyUrl: VERIFY_URL,
  });
  return { scalekit, link, emulator };
}

const allow = (link: string, adminId: string) =>
  fetch(link, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ admin_id: adminId }).toString(),
  });

describe("the Scalekit stand-in's Intercom consent screen (the demo's)", () => {
  it('asks who you are signed in to Intercom as, preselecting the bound admin, and consents nothing on GET', async () => {
    const { link, emulator } = await linkFor('u_alice', { consentPage: true });
    emulator.intercom.bindAdmin('u_alice', '991003');
    const page = await fetch(link, { redirect: 'manual' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Allow access');
    expect(html).toContain('<option value="991003" selected>Carol Nguyen');
    expect(html).toContain('<option value="991001">Alice Moreau');
    expect(emulator.account('u_alice')?.status).toBe(ConnectorStatus.PENDING_AUTH);
  });

  it('on Allow, acts as the chosen admin from then on and sends the browser to verify with the request and state', async () => {
    const { link, emulator, scalekit } = await linkFor('u_bob', { consentPage: true });
    const response = await allow(link, '991002');
    expect(response.status).toBe(303);
    const verify = new URL(response.headers.get('location') ?? '');
    expect(`${verify.origin}${verify.pathname}`).toBe(VERIFY_URL);
    expect(verify.searchParams.get('state')).toBe('the-state');
    expect(emulator.account('u_bob')?.status).toBe(ConnectorStatus.PENDING_VERIFICATION);
    await scalekit.actions.verifyConnectedAccountUser({
      authRequestId: verify.searchParams.get('auth_request_id') ?? '',
      identifier: 'u_bob',
    });
    expect(emulator.account('u_bob')?.status).toBe(ConnectorStatus.ACTIVE);
    expect(emulator.intercom.adminFor('u_bob').name).toBe('Bob Chen');
  });

  it('refuses an unknown admin, and is not there at all unless asked for', async () => {
    const first = await linkFor('u_carol', { consentPage: true });
    expect((await allow(first.link, 'nobody')).status).toBe(400);
    expect(first.emulator.account('u_carol')?.status).toBe(ConnectorStatus.PENDING_AUTH);
    await first.emulator.close();

    const plain = await linkFor('u_carol', { consentPage: false });
    expect((await allow(plain.link, '991003')).status).toBe(404);
    expect((await fetch(plain.link, { redirect: 'manual' })).status).toBe(302);
  });
});
