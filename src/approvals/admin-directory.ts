import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import type { Admin } from './describe.ts';

export interface AdminDirectory {
  /** The Intercom admin behind this identifier's connection (intercom_identify_admin), cached. */
  adminFor(identifier: string): Promise<Admin>;
  forget(identifier: string): void;
}

/** Who the requester is in Intercom, asked of Intercom itself through their own connection. */
export function createAdminDirectory(deps: {
  gateway: Pick<ScalekitGateway, 'executeTool'>;
  now: () => number;
  ttlMs?: number;
}): AdminDirectory {
  const ttlMs = deps.ttlMs ?? 60 * 60 * 1000;
  const cache = new Map<string, { admin: Admin; expiresAt: number }>();
  return {
    async adminFor(identifier) {
      const hit = cache.get(identifier);
      if (hit && hit.expiresAt > deps.now()) return hit.admin;
      const { data } = await deps.gateway.executeTool({ identifier, toolName: 'intercom_identify_admin', input: {} });
      const d = (data ?? {}) as Record<string, unknown>;
      if (d.id === undefined || d.id === null) throw new Error('Intercom did not say who the connected admin is');
      const admin: Admin = {
        id: String(d.id),
        name: typeof d.name === 'string' ? d.name : String(d.id),
        email: typeof d.email === 'string' ? d.email : undefined,
      };
      cache.set(identifier, { admin, expiresAt: deps.now() + ttlMs });
      return admin;
    },
    forget(identifier) {
      cache.delete(identifier);
    },
  };
}
