import { createHash } from 'node:crypto';
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
  /** Bounds memory: the oldest identifiers are dropped first (per kind: statuses, tool lists). */
  maxEntries?: number;
  /**
   * Bounds the distinct tool lists kept (their JSON size in all): past it, the least recently loaded list is
   * dropped, with every identifier that uses it.
   */
  maxToolListBytes?: number;
}

interface Entry<T> {
  value: Promise<T>;
  expiresAt: number;
  /** The value, once it has arrived. */
  settled?: T;
}

type ToolList = readonly ToolDefinition[];

interface InternedList {
  list: ToolList;
  bytes: number;
}

/**
 * Remembers, per identifier and for a short time, that the account is ACTIVE and which tools it has, so a warm
 * message costs Scalekit nothing but its tool executions. Concurrent misses share one upstream call. Anything
 * that suggests the connection changed drops the entry.
 *
 * Teammates of one workspace get the same hundred-odd tool definitions from Scalekit. Identical lists (by content
 * hash) are kept once, as one frozen array, so each extra teammate costs a map entry rather than a copy of the
 * catalogue, and everything built from a list (the agent's wrapped tools) is built once for all of them.
 */
export function withCache(gateway: ScalekitGateway, options: CacheOptions): CachedGateway {
  const statusTtlMs = options.statusTtlMs ?? 5 * 60 * 1000;
  const toolsTtlMs = options.toolsTtlMs ?? 10 * 60 * 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const maxToolListBytes = options.maxToolListBytes ?? 8 * 1024 * 1024;
  const statuses = new Map<string, Entry<AccountStatus | undefined>>();
  const tools = new Map<string, Entry<ToolList>>();
  /** Distinct tool lists by content hash, least recently loaded first. */
  const lists = new Map<string, InternedList>();
  let listBytes = 0;

  /** The shared instance of this list's content; past the size bound, the oldest lists and their users go. */
  function intern(loaded: ToolList): ToolList {
    if (loaded.length === 0) return loaded;
    const json = JSON.stringify(loaded);
    const hash = createHash('sha256').update(json).digest('base64url');
    let interned = lists.get(hash);
    if (interned) {
      lists.delete(hash);
    } else {
      interned = { list: deepFreeze(loaded), bytes: json.length };
      listBytes += interned.bytes;
    }
    lists.set(hash, interned);
    for (const [oldest, dropped] of lists) {
      // The list just loaded stays, even alone over the bound: its caller is about to use it.
      if (listBytes <= maxToolListBytes || oldest === hash) break;
      lists.delete(oldest);
      listBytes -= dropped.bytes;
      for (const [identifier, entry] of tools) {
        if (entry.settled === dropped.list) tools.delete(identifier);
      }
    }
    return interned.list;
  }

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
    const entry: Entry<T> = { value, expiresAt: options.now() + ttlMs };
    map.delete(key);
    map.set(key, entry);
    if (map.size > maxEntries) map.delete(map.keys().next().value as string);
    value.then(
      (v) => {
        entry.settled = v;
        if (!keep(v) && map.get(key) === entry) map.delete(key);
      },
      () => {
        if (map.get(key) === entry) map.delete(key);
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
        () => gateway.listTools(identifier).then(intern),
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

/** Shared between teammates, so nobody may change it: a frozen list of frozen definitions, schemas included. */
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
