import { ToolError, type ToolFailureKind } from '../../src/errors.ts';
import { withCache } from '../../src/scalekit/cached-gateway.ts';
import type { AccountStatus, ScalekitGateway, ToolDefinition } from '../../src/scalekit/scalekit-gateway.ts';

export { deferred } from '../helpers/deferred.ts';

// Type-only imports keep the Scalekit SDK out of this test; the numbers are the SDK's ConnectorStatus values.
export const ACTIVE: AccountStatus = { status: 1 as AccountStatus['status'], statusName: 'ACTIVE', active: true };
export const EXPIRED: AccountStatus = { status: 2 as AccountStatus['status'], statusName: 'EXPIRED', active: false };
export const TOOLS: ToolDefinition[] = [
  { name: 'intercom_list_tags', description: 'List tags', inputSchema: { type: 'object' }, annotations: {} },
];

/**
 * A hand-written gateway that counts calls per method and identifier. Each answer comes from `answers`, which a
 * test may swap to return something else (or a promise it settles itself) from the next call on.
 */
export function fakeGateway() {
  const calls: string[] = [];
  const answers = {
    status: (_identifier: string): Promise<AccountStatus | undefined> => Promise.resolve(ACTIVE),
    tools: (_identifier: string): Promise<ToolDefinition[]> => Promise.resolve(TOOLS),
    execute: (): Promise<{ data: unknown; executionId: string }> => Promise.resolve({ data: {}, executionId: 'x1' }),
    verify: (): Promise<{ redirectUrl?: string }> => Promise.resolve({}),
    remove: (): Promise<void> => Promise.resolve(),
  };
  const gateway: ScalekitGateway = {
    accountStatus(identifier) {
      calls.push(`accountStatus ${identifier}`);
      return answers.status(identifier);
    },
    listTools(identifier) {
      calls.push(`listTools ${identifier}`);
      return answers.tools(identifier);
    },
    authorizationLink({ identifier }) {
      calls.push(`authorizationLink ${identifier}`);
      return Promise.resolve(`https://scalekit.test/auth/${identifier}`);
    },
    verifyUser({ identifier }) {
      calls.push(`verifyUser ${identifier}`);
      return answers.verify();
    },
    deleteAccount(identifier) {
      calls.push(`deleteAccount ${identifier}`);
      return answers.remove();
    },
    executeTool({ identifier }) {
      calls.push(`executeTool ${identifier}`);
      return answers.execute();
    },
  };
  const count = (call: string) => calls.filter((c) => c === call).length;
  return { gateway, answers, calls, count };
}

export function setup(
  options: { statusTtlMs?: number; toolsTtlMs?: number; maxEntries?: number; maxToolListBytes?: number } = {},
) {
  const fake = fakeGateway();
  const clock = { now: 1_000_000 };
  const cached = withCache(fake.gateway, { now: () => clock.now, ...options });
  return { ...fake, clock, cached };
}

export const toolError = (kind: ToolFailureKind) =>
  new ToolError({ kind, toolName: 'intercom_list_tags', message: `${kind} from Intercom` });
