import type { IdentityStore } from '../identity/identity-store.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import type { SlackUser } from '../shared/messages.ts';
import type { Intercom, IntercomAccount } from './account.ts';

/** What finding a teammate's own Intercom takes: their identifier, its status at Scalekit, and the account. */
export interface ActiveAccountDeps {
  intercom: Pick<Intercom, 'account'>;
  identities: Pick<IdentityStore, 'identifierFor'>;
  gateway: Pick<ScalekitGateway, 'accountStatus'>;
}

/**
 * The teammate's own Intercom account when their connection is active; otherwise the status Scalekit gave (none when
 * they never connected), for the caller to offer the right connect link.
 */
export async function activeAccountOf(
  deps: ActiveAccountDeps,
  user: SlackUser,
): Promise<{ account: IntercomAccount } | { account?: undefined; statusName?: string }> {
  const identifier = await deps.identities.identifierFor(user);
  const status = await deps.gateway.accountStatus(identifier);
  if (status?.active) return { account: deps.intercom.account(user, identifier) };
  return { statusName: status?.statusName };
}
