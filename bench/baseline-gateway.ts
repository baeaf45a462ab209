import { ScalekitClient } from '@scalekit-sdk/node';
import {
  createScalekitGateway,
  type ScalekitGateway,
  type ScalekitGatewayOptions,
} from '../src/scalekit/scalekit-gateway.ts';
import { ConnectorStatus } from '../src/scalekit/sdk-internals.ts';

/**
 * The straightforward flow from Scalekit's own tutorials, for comparison only: on every message
 * `getOrCreateConnectedAccount`, then `listScopedTools`, then build and run the agent. Everything else is the
 * product's own gateway (whose `listTools` pages through `listScopedTools` uncached; the bot's cache is turned off
 * for this variant), so only the status lookup differs.
 */
export function createBaselineGateway(options: ScalekitGatewayOptions): ScalekitGateway {
  const client = new ScalekitClient(options.environmentUrl, options.clientId, options.clientSecret);
  const product = createScalekitGateway(options);
  const connectionName = options.connectionName;
  return {
    ...product,
    async accountStatus(identifier) {
      const { connectedAccount } = await client.actions.getOrCreateConnectedAccount({ connectionName, identifier });
      const status = connectedAccount?.status ?? ConnectorStatus.CONNECTION_STATUS_UNSPECIFIED;
      return {
        status,
        statusName: ConnectorStatus[status] ?? String(status),
        active: status === ConnectorStatus.ACTIVE,
      };
    },
  };
}
