import { randomBytes } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { type AuthorizationDetails, ConnectorStatus, ConnectorType } from '../../scalekit/sdk-internals.ts';
import type {
  AccountRecord,
  AccountRef,
  AuthRequestRecord,
  Credentials,
  MagicLinkRecord,
  StoredAccount,
} from './records.ts';
import type { AccountView } from './types.ts';
import { PROVIDER } from './wire.ts';

const INTERCOM_SCOPES = ['read_conversations', 'write_conversations', 'read_users', 'write_users'];

export function accountKey(connector: string, identifier: string): string {
  return `${connector}\u0000${identifier}`;
}

export function toView(account: AccountRecord): AccountView {
  return {
    id: account.id,
    identifier: account.identifier,
    connector: account.connector,
    connectionId: account.connectionId,
    status: account.status,
    statusName: ConnectorStatus[account.status],
    createdAt: account.createdAt,
    updatedAt: account.updatedAt,
    ...(account.lastUsedAt && { lastUsedAt: account.lastUsedAt }),
  };
}

export function requireConnectorAndIdentifier(req: AccountRef): { connector: string; identifier: string } {
  const connector = req.connector?.trim();
  const identifier = req.identifier?.trim();
  if (!connector || !identifier) throw new ConnectError('connector and identifier are required', Code.InvalidArgument);
  return { connector, identifier };
}

/**
 * Connected accounts and the flows that activate them (magic links, then auth requests awaiting the app's verify),
 * plus every credential-like string handed out, so tests can check that none reaches a log.
 */
export class AccountStore {
  readonly accounts = new Map<string, AccountRecord>();
  readonly magicLinks = new Map<string, MagicLinkRecord>();
  readonly authRequests = new Map<string, AuthRequestRecord>();
  readonly secrets = new Set<string>();
  readonly linkTtlMs: number;
  readonly #now: () => number;
  readonly #connectionIds: Map<string, string>;

  /** The accounts (dates as ISO strings), for `restore` in a later run; flows in progress are not kept. */
  snapshot(): StoredAccount[] {
    return [...this.accounts.values()].map((account) => ({
      ...structuredClone(account),
      createdAt: account.createdAt.toISOString(),
      updatedAt: account.updatedAt.toISOString(),
      lastUsedAt: account.lastUsedAt?.toISOString(),
    }));
  }

  restore(accounts: StoredAccount[]): void {
    this.accounts.clear();
    for (const { createdAt, updatedAt, lastUsedAt, ...rest } of accounts) {
      const account: AccountRecord = {
        ...rest,
        createdAt: new Date(createdAt),
        updatedAt: new Date(updatedAt),
        ...(lastUsedAt !== undefined && { lastUsedAt: new Date(lastUsedAt) }),
      };
      this.accounts.set(accountKey(account.connector, account.identifier), account);
      for (const secret of [account.credentials.accessToken, account.credentials.refreshToken]) {
        if (secret) this.secrets.add(secret);
      }
    }
  }

  constructor(options: { now: () => number; linkTtlMs: number; connectionNames: string[] }) {
    this.#now = options.now;
    this.linkTtlMs = options.linkTtlMs;
    this.#connectionIds = new Map(options.connectionNames.map((name, index) => [name, `conn_${71_000_000 + index}`]));
  }

  create(connector: string, identifier: string): AccountRecord {
    const connectionId = this.#connectionIds.get(connector);
    if (!connectionId) throw new ConnectError(`connection ${connector} not found`, Code.NotFound);
    const now = new Date(this.#now());
    const account: AccountRecord = {
      id: `ca_${randomBytes(10).toString('hex')}`,
      connector,
      identifier,
      connectionId,
      status: ConnectorStatus.PENDING_AUTH,
      credentials: { accessToken: '', refreshToken: '', scopes: [] },
      createdAt: now,
      updatedAt: now,
    };
    this.accounts.set(accountKey(connector, identifier), account);
    return account;
  }

  createFromRequest(req: AccountRef): AccountRecord {
    const { connector, identifier } = requireConnectorAndIdentifier(req);
    return this.create(connector, identifier);
  }

  find(ref: AccountRef): AccountRecord | undefined {
    if (ref.id) return this.byId(ref.id);
    if (!ref.connector || !ref.identifier) return undefined;
    return this.accounts.get(accountKey(ref.connector, ref.identifier));
  }

  require(ref: AccountRef): AccountRecord {
    if (!ref.id && !(ref.connector && ref.identifier)) {
      throw new ConnectError('either id or connector and identifier are required', Code.InvalidArgument);
    }
    const account = this.find(ref);
    if (!account) throw new ConnectError('connected account not found', Code.NotFound);
    return account;
  }

  byId(id: string): AccountRecord | undefined {
    return [...this.accounts.values()].find((account) => account.id === id);
  }

  /** Drops a deleted account's links and auth requests, so a late consent or verify fails like an unknown one. */
  forgetFlows(accountId: string): void {
    for (const [id, link] of this.magicLinks) {
      if (link.accountId === accountId) this.magicLinks.delete(id);
    }
    for (const [id, request] of this.authRequests) {
      if (request.accountId === accountId) this.authRequests.delete(id);
    }
  }

  existing(identifier: string, connector: string): AccountRecord {
    const account = this.accounts.get(accountKey(connector, identifier));
    if (!account) throw new Error(`no ${connector} account for ${identifier}`);
    return account;
  }

  /** Resolves ExecuteTool's target: by id, by connector + identifier, or by identifier alone if unambiguous. */
  toolAccount(req: {
    connectedAccountId?: string | undefined;
    connector?: string | undefined;
    identifier?: string | undefined;
  }) {
    if (!req.connectedAccountId && !req.connector && req.identifier) {
      const candidates = [...this.accounts.values()].filter((account) => account.identifier === req.identifier);
      if (candidates.length > 1) {
        throw new ConnectError('identifier matches several connected accounts; pass connector', Code.InvalidArgument);
      }
      if (!candidates[0]) throw new ConnectError('connected account not found', Code.NotFound);
      return candidates[0];
    }
    return this.require({ id: req.connectedAccountId, connector: req.connector, identifier: req.identifier });
  }

  applyAuthorization(account: AccountRecord, details: AuthorizationDetails | undefined): void {
    // getOrCreateConnectedAccount sends an empty oauthToken when the caller gave none; that is not a credential.
    if (details?.details.case !== 'oauthToken' || !details.details.value.accessToken) return;
    const { accessToken, refreshToken, scopes } = details.details.value;
    account.credentials = { accessToken, refreshToken, scopes: [...scopes] };
    for (const secret of [accessToken, refreshToken]) if (secret) this.secrets.add(secret);
    this.touch(account, ConnectorStatus.ACTIVE);
  }

  mintCredentials(): Credentials {
    const credentials = {
      accessToken: `emulated-secret-access-${randomBytes(16).toString('hex')}`,
      refreshToken: `emulated-secret-refresh-${randomBytes(16).toString('hex')}`,
      scopes: [...INTERCOM_SCOPES],
    };
    this.secrets.add(credentials.accessToken);
    this.secrets.add(credentials.refreshToken);
    return credentials;
  }

  touch(account: AccountRecord, status: ConnectorStatus): void {
    account.status = status;
    account.updatedAt = new Date(this.#now());
  }

  message(account: AccountRecord, withCredentials: boolean) {
    return {
      id: account.id,
      identifier: account.identifier,
      connector: account.connector,
      connectionId: account.connectionId,
      provider: PROVIDER,
      status: account.status,
      authorizationType: ConnectorType.OAUTH,
      updatedAt: timestampFromDate(account.updatedAt),
      ...(account.lastUsedAt && { lastUsedAt: timestampFromDate(account.lastUsedAt) }),
      ...(account.apiConfig && { apiConfig: account.apiConfig }),
      ...(withCredentials && {
        authorizationDetails: {
          details: { case: 'oauthToken' as const, value: { ...account.credentials, domain: '' } },
        },
      }),
    };
  }
}
