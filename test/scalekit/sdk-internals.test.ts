import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as internals from '../../src/scalekit/sdk-internals.ts';

// If an upgrade of @scalekit-sdk/node moves its generated code, the import above fails and so does this file:
// loudly, here, rather than somewhere in the connect flow.
describe('the Scalekit SDK internals we rely on', () => {
  it('are present with the shapes the gateway and the emulator use', () => {
    expect(internals.ConnectorStatus.ACTIVE).toBe(1);
    expect(internals.ConnectorStatus[internals.ConnectorStatus.EXPIRED]).toBe('EXPIRED');
    expect(internals.ConnectorStatus[internals.ConnectorStatus.PENDING_VERIFICATION]).toBe('PENDING_VERIFICATION');
    expect(internals.ConnectedAccountService.typeName).toBe('scalekit.v1.connected_accounts.ConnectedAccountService');
    expect(internals.ToolService.typeName).toBe('scalekit.v1.tools.ToolService');
    expect(internals.ErrorInfoSchema.typeName).toContain('ErrorInfo');
  });

  it('come from the exact SDK version package.json pins', () => {
    const pinned = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).dependencies[
      '@scalekit-sdk/node'
    ];
    const installed = createRequire(import.meta.url)('@scalekit-sdk/node/package.json').version;
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(installed).toBe(pinned);
  });
});
