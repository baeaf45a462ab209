import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { ConnectorStatus, type ToolService } from '../../scalekit/sdk-internals.ts';
import { IntercomApiError, type ToolDefinition, type ToolHandler, type ToolParams } from '../intercom/types.ts';
import type { IntercomWorkspace } from '../intercom/workspace.ts';
import type { AccountStore } from './accounts.ts';
import type { ToolFailure } from './types.ts';
import {
  DEFAULT_PAGE_SIZE,
  PROVIDER,
  paginate,
  providerError,
  TOOL_FAILURES,
  toJsonObject,
  toolDefinition,
  toolError,
  toolId,
  validateParams,
} from './wire.ts';

export interface ToolServiceDeps {
  tools: readonly ToolDefinition[];
  toolsByName: Map<string, ToolDefinition>;
  handlers: Record<string, ToolHandler>;
  intercom: IntercomWorkspace;
  /** Queued by failNextTool; the first that matches a call is taken. */
  toolFailures: ToolFailure[];
  toolLatencyMs: () => number;
  now: () => number;
}

/** ToolService: the tools an identifier may use, and executing them against the Intercom workspace. */
export function toolService(store: AccountStore, deps: ToolServiceDeps): Partial<ServiceImpl<typeof ToolService>> {
  return {
    listScopedTools: (req) => {
      const filter = {
        providers: req.filter?.providers ?? [],
        toolNames: req.filter?.toolNames ?? [],
        connectionNames: req.filter?.connectionNames ?? [],
      };
      if (!filter.providers.length && !filter.toolNames.length && !filter.connectionNames.length) {
        throw new ConnectError(
          'no providers, tool names or connection names specified in filter',
          Code.InvalidArgument,
        );
      }
      if (!req.identifier) throw new ConnectError('identifier is required', Code.InvalidArgument);
      const providerMatches =
        !filter.providers.length || filter.providers.some((provider) => provider.toUpperCase() === PROVIDER);
      // Tools are scoped to the identifier's existing accounts, whatever their status; executing still needs ACTIVE.
      const accounts = [...store.accounts.values()].filter(
        (account) =>
          account.identifier === req.identifier &&
          providerMatches &&
          (!filter.connectionNames.length || filter.connectionNames.includes(account.connector)),
      );
      const tools = deps.tools.filter((tool) => !filter.toolNames.length || filter.toolNames.includes(tool.name));
      const scoped = accounts.flatMap((account) => tools.map((tool) => ({ account, tool })));
      const page = paginate(scoped, req.pageSize, req.pageToken, DEFAULT_PAGE_SIZE);
      return {
        tools: page.items.map(({ account, tool }) => ({
          tool: { id: toolId(tool.name), provider: PROVIDER, definition: toolDefinition(tool), isDefault: true },
          identifier: account.identifier,
          connectedAccountId: account.id,
        })),
        totalSize: scoped.length,
        nextPageToken: page.nextPageToken,
        prevPageToken: page.prevPageToken,
      };
    },

    executeTool: async (req) => {
      const toolName = req.toolName.trim();
      if (!toolName) throw new ConnectError('tool_name is required', Code.InvalidArgument);
      const tool = deps.toolsByName.get(toolName);
      if (!tool) throw new ConnectError(`tool ${toolName} not found`, Code.NotFound);
      const account = store.toolAccount(req);
      const executionId = randomUUID();
      if (account.status === ConnectorStatus.EXPIRED) {
        // Scalekit still calls the provider with the dead token, so this surfaces as the provider's 401.
        throw toolError(TOOL_FAILURES.unauthorized, executionId, 'Access Token Invalid (token expired or revoked)');
      }
      if (account.status !== ConnectorStatus.ACTIVE) {
        throw new ConnectError(
          `connected account for ${account.identifier} on ${account.connector} is ${ConnectorStatus[account.status]}, not ACTIVE`,
          Code.FailedPrecondition,
        );
      }
      const params: ToolParams = req.params ?? {};
      const problem = validateParams(tool.input_schema, params);
      if (problem) throw new ConnectError(`invalid params for ${toolName}: ${problem}`, Code.InvalidArgument);

      const failureIndex = deps.toolFailures.findIndex(
        (f) =>
          (f.toolName === undefined || f.toolName === toolName) &&
          Object.entries(f.params ?? {}).every(([key, value]) => params[key] === value),
      );
      const [failure] = failureIndex === -1 ? [] : deps.toolFailures.splice(failureIndex, 1);
      if (failure) throw toolError(TOOL_FAILURES[failure.kind], executionId, failure.message);

      account.lastUsedAt = new Date(deps.now());
      const handler = deps.handlers[toolName];
      const context = {
        workspace: deps.intercom,
        identifier: account.identifier,
        connector: account.connector,
        connectedAccountId: account.id,
      };
      if (deps.toolLatencyMs() > 0) await sleep(deps.toolLatencyMs());
      try {
        const result = handler ? handler(params, context) : { ok: true };
        return { data: toJsonObject(result), executionId };
      } catch (error) {
        if (error instanceof IntercomApiError) throw providerError(error, executionId);
        throw error;
      }
    },
  };
}
