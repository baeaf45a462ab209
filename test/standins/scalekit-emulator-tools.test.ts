import {
  isToolException,
  ScalekitBadRequestException,
  type ScalekitClient,
  ScalekitToolException,
  ScalekitToolForbiddenException,
  ScalekitToolRateLimitException,
  ScalekitToolUnauthorizedException,
} from '@scalekit-sdk/node';
import { beforeEach, describe, expect, it } from 'vitest';
import type { IntercomConversation } from '../../src/standins/intercom/records.ts';
import { ConnectorStatus, type ScalekitEmulator } from '../../src/standins/scalekit/emulator.ts';
import { OTHER_USER, rejection, USER, useScalekitEmulator } from './scalekit-harness.ts';

const h = useScalekitEmulator();
let emulator: ScalekitEmulator;
let scalekit: ScalekitClient;
beforeEach(() => {
  ({ emulator, scalekit } = h);
});
const { connectThroughVerifyFlow } = h;

describe('Scalekit emulator, driven by the real ScalekitClient', () => {
  describe('tool execution', () => {
    it('runs a tool by identifier and connector and returns data with an execution id', async () => {
      await connectThroughVerifyFlow(USER);

      const result = await scalekit.actions.executeTool({
        toolName: 'intercom_search_contacts',
        toolInput: { query: { field: 'email', operator: '=', value: 'john@acme.com' } },
        identifier: USER,
        connector: 'intercom',
      });

      expect(result.executionId).not.toBe('');
      expect(result.data).toMatchObject({ type: 'list', total_count: 1, data: [{ email: 'john@acme.com' }] });
      expect(emulator.callsOf('ExecuteTool')[0]?.request).toMatchObject({
        toolName: 'intercom_search_contacts',
        identifier: USER,
        connector: 'intercom',
        params: { query: { field: 'email', operator: '=', value: 'john@acme.com' } },
      });
      expect(emulator.account(USER)?.lastUsedAt).toBeInstanceOf(Date);
    });

    it('acts as a distinct Intercom admin per identifier and mutates the shared workspace', async () => {
      emulator.connectAccount(USER);
      const other = emulator.connectAccount(OTHER_USER);

      const me = await scalekit.actions.executeTool({
        toolName: 'intercom_identify_admin',
        toolInput: {},
        identifier: USER,
        connector: 'intercom',
      });
      const them = await scalekit.tools.executeTool({
        toolName: 'intercom_identify_admin',
        connectedAccountId: other.id,
      });
      expect(me.data?.id).not.toBe(them.data?.id);

      const reply = await scalekit.actions.executeTool({
        toolName: 'intercom_reply_to_conversation',
        toolInput: {
          admin_id: String(me.data?.id),
          conversation_id: '215470001',
          message_type: 'comment',
          type: 'admin',
          body: 'We have reset your session, please try again.',
        },
        identifier: USER,
        connector: 'intercom',
      });

      const parts = (reply.data as unknown as IntercomConversation).conversation_parts.conversation_parts;
      expect(parts.at(-1)).toMatchObject({ part_type: 'comment', author: { id: String(me.data?.id) } });
      const stored = emulator.intercom.findConversation('215470001');
      expect(stored?.conversation_parts.conversation_parts.at(-1)?.body).toBe(
        '<p>We have reset your session, please try again.</p>',
      );
    });

    it('fails with a bad request on a non-active account or invalid params', async () => {
      await scalekit.actions.getOrCreateConnectedAccount({ connectionName: 'intercom', identifier: USER });
      const pending = await rejection(
        scalekit.actions.executeTool({
          toolName: 'intercom_list_tags',
          toolInput: {},
          identifier: USER,
          connector: 'intercom',
        }),
      );
      expect(pending).toBeInstanceOf(ScalekitBadRequestException);
      expect((pending as Error).message).toContain('PENDING_AUTH');

      emulator.setStatus(USER, ConnectorStatus.ACTIVE);
      const invalid = await rejection(
        scalekit.actions.executeTool({
          toolName: 'intercom_reply_to_conversation',
          toolInput: { admin_id: '991001', conversation_id: '215470001', message_type: 'shout', type: 'admin' },
          identifier: USER,
          connector: 'intercom',
        }),
      );
      expect(invalid).toBeInstanceOf(ScalekitBadRequestException);
      expect((invalid as Error).message).toContain('message_type');
    });

    it('maps failNextTool kinds to the SDK tool exceptions, once each', async () => {
      emulator.connectAccount(USER);
      const run = () =>
        rejection(
          scalekit.actions.executeTool({
            toolName: 'intercom_list_tags',
            toolInput: {},
            identifier: USER,
            connector: 'intercom',
          }),
        );
      const cases = [
        ['unauthorized', ScalekitToolUnauthorizedException, '401'],
        ['forbidden', ScalekitToolForbiddenException, '403'],
        ['rate_limited', ScalekitToolRateLimitException, '429'],
        ['error', ScalekitToolException, '500'],
      ] as const;

      for (const [kind, exceptionClass, status] of cases) {
        emulator.failNextTool({ kind, message: `injected ${kind}` });
        const error = await run();
        expect(error).toBeInstanceOf(exceptionClass);
        expect(isToolException(error)).toBe(true);
        expect(error).toMatchObject({ isToolError: true, toolErrorCode: status, toolErrorMessage: `injected ${kind}` });
        expect((error as { executionId: string }).executionId).not.toBe('');
      }

      const ok = await scalekit.actions.executeTool({
        toolName: 'intercom_list_tags',
        toolInput: {},
        identifier: USER,
        connector: 'intercom',
      });
      expect(ok.data?.type).toBe('list');
      expect(emulator.callsOf('ExecuteTool')).toHaveLength(cases.length + 1);
    });

    it('only fails the named tool when failNextTool has a toolName', async () => {
      emulator.connectAccount(USER);
      emulator.failNextTool({ toolName: 'intercom_list_admins', kind: 'rate_limited' });

      await scalekit.actions.executeTool({
        toolName: 'intercom_list_tags',
        toolInput: {},
        identifier: USER,
        connector: 'intercom',
      });
      const error = await rejection(
        scalekit.actions.executeTool({
          toolName: 'intercom_list_admins',
          toolInput: {},
          identifier: USER,
          connector: 'intercom',
        }),
      );

      expect(error).toBeInstanceOf(ScalekitToolRateLimitException);
    });

    it('fails as tool-unauthorized once the teammate revokes Intercom access, until they reconnect', async () => {
      emulator.connectAccount(USER);
      emulator.revokeIntercomToken(USER);

      const error = await rejection(
        scalekit.actions.executeTool({
          toolName: 'intercom_list_tags',
          toolInput: {},
          identifier: USER,
          connector: 'intercom',
        }),
      );
      expect(error).toBeInstanceOf(ScalekitToolUnauthorizedException);
      expect(emulator.account(USER)?.status).toBe(ConnectorStatus.EXPIRED);

      await connectThroughVerifyFlow(USER);
      const ok = await scalekit.actions.executeTool({
        toolName: 'intercom_list_tags',
        toolInput: {},
        identifier: USER,
        connector: 'intercom',
      });
      expect(ok.executionId).not.toBe('');
    });

    it('surfaces provider 404s as tool errors', async () => {
      emulator.connectAccount(USER);

      const error = await rejection(
        scalekit.actions.executeTool({
          toolName: 'intercom_retrieve_conversation',
          toolInput: { conversation_id: 'does-not-exist' },
          identifier: USER,
          connector: 'intercom',
        }),
      );

      expect(error).toBeInstanceOf(ScalekitToolException);
      expect(error).toMatchObject({ toolErrorCode: '404' });
    });
  });
});
