import { ToolError } from '../errors.ts';
import type { AccountStatus, ScalekitGateway, ToolDefinition } from './scalekit-gateway.ts';

export interface CachedGateway extends ScalekitGateway {
  /** Forgets what is cached for this identifier (after connect, disconnect, or an auth error). */
  forget(identifier: string): void;
}

export interface CacheOptions {
  now: () => number;
  statusTtlMs?: number;
  toolsTtlMs?: number;
  /** Bounds memory: the oldest identifiers are dropped first. */
  maxEntries?: number;
}

interface Entry<T> {
  value: Promise<T>;
  expiresAt: number;
}

/**
 * Remembers, per identifier and for a short time, that the account is ACTIVE and which tools it has, so a warm
 * message costs Scalekit nothing but its tool executions. Concurrent misses share one upstream call. Anything
 * that suggests the connection changed drops the entry.
 */
export function withCache(gateway: ScalekitGateway, options: CacheOptions): CachedGateway {
  const statusTtlMs = options.statusTtlMs ?? 5 * 60 * 1000;
  const toolsTtlMs = options.toolsTtlMs ?? 10 * 60 * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const statuses = new Map<string, Entry<AccountStatus | undefined>>();
  const tools = new Map<string, Entry<ToolDefinition[]>>();

  function cached<T>(
    map: Map<string, Entry<T>>,
    key: string,
    ttlMs: number,
    load: () => Promise<T>,
    keep: (value: T) => boolean,
  ): Promise<T> {
    const hit = map.get(key);
    if (hit && hit.expiresAt > options.now()) return hit.value;
    const value = load();
    map.delete(key);
    map.set(key, { value, expiresAt: options.now() + ttlMs });
    if (map.size > maxEntries) map.delete(map.keys().next().value as string);
    value.then(
      (v) => {
        if (!keep(v) && map.get(key)?.value === value) map.delete(key);
      },
      () => {
        if (map.get(key)?.value === value) map.delete(key);
      },
    );
    return value;
  }

  const forget = (identifier: string) => {
    statuses.delete(identifier);
    tools.delete(identifier);
  };

  return {
    forget,
    // Only ACTIVE is worth remembering: anyone else may connect any second now.
    accountStatus: (identifier) =>
      cached(
        statuses,
        identifier,
        statusTtlMs,
        () => gateway.accountStatus(identifier),
        (s) => s?.active === true,
      ),
    listTools: (identifier) =>
      cached(
        tools,
        identifier,
        toolsTtlMs,
        () => gateway.listTools(identifier),
        (t) => t.length > 0,
      ),
    authorizationLink: (params) => gateway.authorizationLink(params),
    async verifyUser(params) {
      try {
        return await gateway.verifyUser(params);
      } finally {
        forget(params.identifier);
      }
    },
    async deleteAccount(identifier) {
      try {
        await gateway.deleteAccount(identifier);
      } finally {
        forget(identifier);
      }
    },
    async executeTool(params) {
      try {
        return await gateway.executeTool(params);
      } catch (error) {
        if (error instanceof ToolError && (error.kind === 'auth' || error.kind === 'forbidden')) {
          forget(params.identifier);
        }
        throw error;
      }
    },
  };
}
