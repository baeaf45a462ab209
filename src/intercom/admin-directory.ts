import type { ScalekitIdentifier } from '../identity/identity-store.ts';
import type { Admin } from './models.ts';

/** Who each teammate is in Intercom, remembered for a while: it changes only when they connect another account. */
export interface AdminDirectory {
  /** The admin behind this identifier's connection; `identify` asks Intercom when nothing fresh is known. */
  adminFor(identifier: ScalekitIdentifier, identify: () => Promise<Admin>): Promise<Admin>;
  /** Forgets it (after connect or disconnect). */
  forget(identifier: string): void;
}

export function createAdminDirectory(deps: { now: () => number; ttlMs?: number }): AdminDirectory {
  const ttlMs = deps.ttlMs ?? 60 * 60 * 1000;
  const cache = new Map<string, { admin: Admin; expiresAt: number }>();
  return {
    async adminFor(identifier, identify) {
      const hit = cache.get(identifier);
      if (hit && hit.expiresAt > deps.now()) return hit.admin;
      const admin = await identify();
      cache.set(identifier, { admin, expiresAt: deps.now() + ttlMs });
      return admin;
    },
    forget(identifier) {
      cache.delete(identifier);
    },
  };
}
