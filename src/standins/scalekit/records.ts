/** What the Scalekit stand-in keeps about connected accounts and the flows that connect them. */
import type { JsonObject } from '@bufbuild/protobuf';
import type { ConnectorStatus } from '../../scalekit/sdk-internals.ts';

export interface Credentials {
  accessToken: string;
  refreshToken: string;
  scopes: string[];
}

export interface AccountRecord {
  id: string;
  connector: string;
  identifier: string;
  connectionId: string;
  status: ConnectorStatus;
  credentials: Credentials;
  apiConfig?: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt?: Date;
}

export type StoredAccount = Omit<AccountRecord, 'createdAt' | 'updatedAt' | 'lastUsedAt'> & {
  createdAt: string;
  updatedAt: string;
  lastUsedAt?: string | undefined;
};

export interface MagicLinkRecord {
  id: string;
  accountId: string;
  connector: string;
  identifier: string;
  state?: string;
  userVerifyUrl?: string;
  expiresAt: number;
}

export interface AuthRequestRecord {
  accountId: string;
  /** The identifier the magic link was made for; verify must assert the same one. */
  identifier: string;
  pendingCredentials: Credentials;
  expiresAt: number;
  consumed: boolean;
}

export interface AccountRef {
  id?: string | undefined;
  connector?: string | undefined;
  identifier?: string | undefined;
}
