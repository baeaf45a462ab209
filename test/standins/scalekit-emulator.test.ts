import { create } from '@bufbuild/protobuf';
import { Code } from '@connectrpc/connect';
import {
  isToolException,
  ScalekitBadRequestException,
  ScalekitClient,
  ScalekitConflictException,
  ScalekitForbiddenException,
  ScalekitInternalServerException,
  ScalekitNotFoundException,
} from '@scalekit-sdk/node';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuthorizationDetailsSchema, OauthTokenSchema } from '../../src/scalekit/sdk-internals.ts';
import { ConnectorStatus, type ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { OTHER_USER, rejection, USER, useScalekitEmulator } from './scalekit-harness.ts';

const h = useScalekitEmulator();
let emulator: ScalekitEmulator;
let scalekit: ScalekitClient;
beforeEach(() => {
  ({ emulator, scalekit } = h);
});
const { consent, tokenRequests, verifyUrl: VERIFY_URL } = h;

describe('Scalekit emulator, driven by the real ScalekitClient', () => {
  describe('client authentication', () => {
    it('fetches a token lazily on the first RPC and refetches after revocation', async () => {
      expect(tokenRequests()).toBe(0);

      await scalekit.actions.listConnectedAccounts({ connectionName: 'intercom' });
      expect(tokenRequests()).toBe(1);
      expect(emulator.unauthenticatedCalls).toBe(1);
      expect(emulator.callsOf('ListConnectedAccounts')).toHaveLength(1);

      await scalekit.actions.listConnectedAccounts({ connectionName: 'intercom' });
      expect(tokenRequests()).toBe(1);

      emulator.revokeAccessTokens();
      await scalekit.actions.listConnectedAccounts({ connectionName: 'intercom' });
      expect(tokenRequests()).toBe(2);
      expect(emulator.unauthenticatedCalls).toBe(2);
    });

    it('rejects a wrong client secret with a raw 401 from the token endpoint', async () => {
      const wrong = new ScalekitClient(emulator.url, emulator.clientId, 'not-the-secret', { timeoutMs: 2000 });

      const error = await rejection(wrong.actions.listConnectedAccounts());

      expect(error).toMatchObject({ isAxiosError: true, response: { status: 401 } });
      expect(emulator.calls).toHaveLength(0);
    });

    it('retries transparently when an RPC is answered Unauthenticated', async () => {
      await scalekit.actions.listConnectedAccounts();
      emulator.failNext('ListConnectedAccounts', Code.Unauthenticated);

      await scalekit.actions.listConnectedAccounts();

      expect(tokenRequests()).toBe(2);
      expect(emulator.callsOf('ListConnectedAccounts').map((c) => c.error)).toEqual([
        undefined,
        'Unauthenticated',
        undefined,
      ]);
    });
  });

  describe('connected accounts', () => {
    it('creates on getOrCreate, then returns the same account with a fake credential', async () => {
      const created = await scalekit.actions.getOrCreateConnectedAccount({
        connectionName: 'intercom',
        identifier: USER,
      });
      expect(created.connectedAccount?.status).toBe(ConnectorStatus.PENDING_AUTH);
      expect(emulator.callsOf('CreateConnectedAccount')).toHaveLength(1);

      emulator.connectAccount(USER);
      const fetched = await scalekit.actions.getOrCreateConnectedAccount({
        connectionName: 'intercom',
        identifier: USER,
      });

      expect(fetched.connectedAccount?.id).toBe(created.connectedAccount?.id);
      expect(fetched.connectedAccount?.status).toBe(ConnectorStatus.ACTIVE);
      const details = fetched.connectedAccount?.authorizationDetails?.details;
      expect(details?.case).toBe('oauthToken');
      const accessToken = details?.case === 'oauthToken' ? details.value.accessToken : '';
      expect(accessToken).toMatch(/^emulated-secret-access-/);
      expect(emulator.secrets).toContain(accessToken);
      expect(emulator.callsOf('CreateConnectedAccount')).toHaveLength(1);
    });

    it('updates an existing account when getOrCreate is given credentials', async () => {
      await scalekit.actions.getOrCreateConnectedAccount({ connectionName: 'intercom', identifier: USER });

      const updated = await scalekit.actions.getOrCreateConnectedAccount({
        connectionName: 'intercom',
        identifier: USER,
        authorizationDetails: create(AuthorizationDetailsSchema, {
          details: { case: 'oauthToken', value: create(OauthTokenSchema, { accessToken: 'rotated-app-token' }) },
        }),
      });

      expect(updated.connectedAccount?.status).toBe(ConnectorStatus.ACTIVE);
      expect(emulator.callsOf('UpdateConnectedAccount')[0]?.request).toMatchObject({
        connector: 'intercom',
        identifier: USER,
        connectedAccount: '[redacted]',
      });
    });

    it('lists accounts without credentials and filters by identifier', async () => {
      emulator.connectAccount(USER);
      emulator.connectAccount(OTHER_USER);

      const all = await scalekit.actions.listConnectedAccounts({ connectionName: 'intercom' });
      const mine = await scalekit.actions.listConnectedAccounts({ connectionName: 'intercom', identifier: USER });

      expect(all.totalSize).toBe(2);
      expect(mine.connectedAccounts.map((a) => a.identifier)).toEqual([USER]);
      // Timestamps hold bigint seconds, which JSON.stringify cannot serialise on its own.
      const listed = JSON.stringify(all.connectedAccounts, (_key, value) =>
        typeof value === 'bigint' ? String(value) : value,
      );
      expect(listed).not.toContain('emulated-secret');
    });

    it('refuses to create an account twice and rejects unknown connections', async () => {
      await scalekit.actions.createConnectedAccount({
        connectionName: 'intercom',
        identifier: USER,
        authorizationDetails: create(AuthorizationDetailsSchema),
      });

      expect(
        await rejection(
          scalekit.actions.createConnectedAccount({
            connectionName: 'intercom',
            identifier: USER,
            authorizationDetails: create(AuthorizationDetailsSchema),
          }),
        ),
      ).toBeInstanceOf(ScalekitConflictException);
      expect(
        await rejection(scalekit.actions.getAuthorizationLink({ connectionName: 'zendesk', identifier: USER })),
      ).toBeInstanceOf(ScalekitNotFoundException);
    });

    it('never records credentials passed to create in the call log', async () => {
      await scalekit.actions.createConnectedAccount({
        connectionName: 'intercom',
        identifier: USER,
        authorizationDetails: create(AuthorizationDetailsSchema, {
          details: {
            case: 'oauthToken',
            value: create(OauthTokenSchema, { accessToken: 'app-supplied-secret-token' }),
          },
        }),
      });

      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.ACTIVE);
      expect(emulator.secrets).toContain('app-supplied-secret-token');
      const log = JSON.stringify(emulator.calls);
      for (const secret of emulator.secrets) expect(log).not.toContain(secret);
    });

    it('deletes an account, after which get and delete answer NotFound', async () => {
      emulator.connectAccount(USER);

      await scalekit.actions.deleteConnectedAccount({ connectionName: 'intercom', identifier: USER });

      expect(emulator.account(USER)).toBeUndefined();
      expect(
        await rejection(scalekit.actions.getConnectedAccount({ connectionName: 'intercom', identifier: USER })),
      ).toBeInstanceOf(ScalekitNotFoundException);
      expect(
        await rejection(scalekit.actions.deleteConnectedAccount({ connectionName: 'intercom', identifier: USER })),
      ).toBeInstanceOf(ScalekitNotFoundException);
    });
  });

  describe('authorization link and user verification', () => {
    it('takes an account from PENDING_AUTH through consent and verify to ACTIVE', async () => {
      const { link, expiry } = await scalekit.actions.getAuthorizationLink({
        connectionName: 'intercom',
        identifier: USER,
        state: 'opaque-state-123',
        userVerifyUrl: VERIFY_URL,
      });
      expect(link.startsWith(`${emulator.url}/magic/`)).toBe(true);
      expect(Number(expiry?.seconds)).toBeGreaterThan(Date.now() / 1000);
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.PENDING_AUTH);
      expect(emulator.callsOf('GetMagicLinkForConnectedAccount')[0]?.request).toMatchObject({
        connector: 'intercom',
        identifier: USER,
        state: 'opaque-state-123',
        userVerifyUrl: VERIFY_URL,
      });

      const redirect = await consent(link);
      expect(`${redirect.origin}${redirect.pathname}`).toBe(VERIFY_URL);
      expect(redirect.searchParams.get('state')).toBe('opaque-state-123');
      const authRequestId = redirect.searchParams.get('auth_request_id') ?? '';
      expect(authRequestId).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.PENDING_VERIFICATION);

      const verified = await scalekit.actions.verifyConnectedAccountUser({ authRequestId, identifier: USER });
      expect(verified.postUserVerifyRedirectUrl).toBe(`${emulator.url}/connected`);
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.ACTIVE);
      expect(emulator.callsOf('VerifyConnectedAccountUser')[0]?.request).toEqual({ authRequestId, identifier: USER });

      const replay = await rejection(scalekit.actions.verifyConnectedAccountUser({ authRequestId, identifier: USER }));
      expect(replay).toBeInstanceOf(ScalekitNotFoundException);
    });

    it('refuses verification for a different identifier but leaves the request usable', async () => {
      const { link } = await scalekit.actions.getAuthorizationLink({
        connectionName: 'intercom',
        identifier: USER,
        userVerifyUrl: VERIFY_URL,
      });
      const redirect = await consent(link);
      const authRequestId = redirect.searchParams.get('auth_request_id') ?? '';
      expect(redirect.searchParams.has('state')).toBe(false);

      const mismatch = await rejection(
        scalekit.actions.verifyConnectedAccountUser({ authRequestId, identifier: OTHER_USER }),
      );
      expect(mismatch).toBeInstanceOf(ScalekitForbiddenException);
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.PENDING_VERIFICATION);

      await scalekit.actions.verifyConnectedAccountUser({ authRequestId, identifier: USER });
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.ACTIVE);
    });

    it('answers NotFound for an unknown auth request id', async () => {
      const error = await rejection(
        scalekit.actions.verifyConnectedAccountUser({ authRequestId: 'bm90LWEtcmVxdWVzdA', identifier: USER }),
      );
      expect(error).toBeInstanceOf(ScalekitNotFoundException);
    });

    it('fails the hosted page without userVerifyUrl, for unknown ids and for expired links', async () => {
      const { link } = await scalekit.actions.getAuthorizationLink({ connectionName: 'intercom', identifier: USER });
      const noVerifyUrl = await fetch(link, { redirect: 'manual' });
      expect(noVerifyUrl.status).toBe(400);
      expect(await noVerifyUrl.text()).toContain('failed_to_exchange');

      expect((await fetch(`${emulator.url}/magic/unknown`, { redirect: 'manual' })).status).toBe(400);

      const { link: expiring } = await scalekit.actions.getAuthorizationLink({
        connectionName: 'intercom',
        identifier: USER,
        userVerifyUrl: VERIFY_URL,
      });
      emulator.expireMagicLinks();
      expect((await fetch(expiring, { redirect: 'manual' })).status).toBe(400);
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.PENDING_AUTH);
    });
  });

  describe('scoped tools', () => {
    it('pages through more than 100 Intercom tools with nextPageToken', async () => {
      emulator.connectAccount(USER);
      const names: string[] = [];
      let pageToken: string | undefined;
      let pages = 0;
      do {
        const page = await scalekit.tools.listScopedTools(USER, {
          filter: { connectionNames: ['intercom'] },
          ...(pageToken && { pageToken }),
        });
        pages += 1;
        expect(page.totalSize).toBe(emulator.tools.length);
        for (const scoped of page.tools) {
          expect(scoped.connectedAccountId).toBe(emulator.account(USER)?.id);
          expect(scoped.tool?.provider).toBe('INTERCOM');
          names.push(String(scoped.tool?.definition?.name));
        }
        pageToken = page.nextPageToken || undefined;
      } while (pageToken);

      expect(pages).toBe(3);
      expect(names.length).toBeGreaterThan(100);
      expect(new Set(names).size).toBe(names.length);
      expect(names).toContain('intercom_reply_to_conversation');
    });

    it('honours pageSize and serves definitions with schemas and annotations', async () => {
      emulator.connectAccount(USER);

      const first = await scalekit.tools.listScopedTools(USER, { filter: { providers: ['INTERCOM'] }, pageSize: 10 });
      expect(first.tools).toHaveLength(10);
      expect(first.nextPageToken).not.toBe('');

      const picked = await scalekit.tools.listScopedTools(USER, {
        filter: { toolNames: ['intercom_identify_admin', 'intercom_delete_contact', 'intercom_search_contacts'] },
      });
      const byName = new Map(picked.tools.map((t) => [String(t.tool?.definition?.name), t.tool?.definition]));
      expect(byName.get('intercom_identify_admin')?.input_schema).toEqual({});
      expect(byName.get('intercom_delete_contact')?.annotations).toMatchObject({ destructive_hint: true });
      expect(byName.get('intercom_search_contacts')?.input_schema).toMatchObject({
        type: 'object',
        required: ['query'],
        properties: { query: { type: 'object' } },
      });
    });

    it('rejects an empty filter and returns nothing for an identifier without an account', async () => {
      expect(await rejection(scalekit.tools.listScopedTools(USER, { filter: {} }))).toBeInstanceOf(
        ScalekitBadRequestException,
      );

      const none = await scalekit.tools.listScopedTools(OTHER_USER, { filter: { connectionNames: ['intercom'] } });
      expect(none.tools).toEqual([]);
      expect(none.totalSize).toBe(0);
    });
  });

  describe('control-plane hooks', () => {
    it('injects plain gRPC failures with failNext', async () => {
      emulator.connectAccount(USER);
      emulator.failNext('ListScopedTools', Code.Internal);

      const error = await rejection(
        scalekit.tools.listScopedTools(USER, { filter: { connectionNames: ['intercom'] } }),
      );

      expect(error).toBeInstanceOf(ScalekitInternalServerException);
      expect(isToolException(error)).toBe(false);
      expect(() => emulator.failNext('NoSuchRpc', Code.Internal)).toThrow(/unknown RPC/);
    });

    it('delays every RPC by latencyMs, adjustable at runtime', async () => {
      await scalekit.actions.listConnectedAccounts();
      emulator.latencyMs = 60;

      const started = performance.now();
      await scalekit.actions.listConnectedAccounts();

      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    });
  });
});
