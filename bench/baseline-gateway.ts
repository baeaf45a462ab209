import { ScalekitClient } from '@scalekit-sdk/node';
import { ConnectorStatus } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';
import {
  createScalekitGateway,
  type ScalekitGateway,
  type ScalekitGatewayOptions,
  type ToolDefinition,
  toolDefinitionOf,
} from '../src/scalekit/scalekit-gateway.ts';

/**
 * The straightforward flow from Scalekit's own tutorials, for comparison only: on every message
 * `getOrCreateConnectedAccount`, then `listScopedTools`, then build and run the agent. Tool execution and the
 * connect flow are the product's own, so only the per-message lookups differ.
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
    async listTools(identifier) {
      const tools: ToolDefinition[] = [];
      let pageToken: string | undefined;
      do {
        const page = await client.tools.listScopedTools(identifier, {
          filter: { connectionNames: [connectionName] },
          pageSize: 100,
          pageToken,
        });
        for (const scoped of page.tools) {
          const tool = toolDefinitionOf(scoped.tool?.definition);
          if (tool) tools.push(tool);
        }
        pageToken = page.nextPageToken || undefined;
      } while (pageToken);
      return tools;
    },
  };
}
