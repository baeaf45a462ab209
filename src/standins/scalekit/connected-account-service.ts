import { randomBytes } from 'node:crypto';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type ServiceImpl } from '@connectrpc/connect';
import { type ConnectedAccountService, ConnectorStatus } from '../../scalekit/sdk-internals.ts';
import { type AccountStore, accountKey, requireConnectorAndIdentifier } from './accounts.ts';
import type { MagicLinkRecord } from './records.ts';
import { DEFAULT_PAGE_SIZE, PROVIDER, paginate } from './wire.ts';

export interface ConnectedAccountServiceDeps {
  url: () => string;
  magicLinkUrl: (id: string) => string;
  now: () => number;
}

/** ConnectedAccountService: accounts, magic links, and the verify step that activates an account. */
export function connectedAccountService(
  store: AccountStore,
  deps: ConnectedAccountServiceDeps,
): Partial<ServiceImpl<typeof ConnectedAccountService>> {
  return {
    getConnectedAccountAuth: (req) => ({
      connectedAccount: store.message(store.require(req), true),
    }),

    createConnectedAccount: (req) => {
      const { connector, identifier } = requireConnectorAndIdentifier(req);
      if (store.accounts.has(accountKey(connector, identifier))) {
        throw new ConnectError(
          `connected account already exists for ${identifier} on ${connector}`,
          Code.AlreadyExists,
        );
      }
      const account = store.create(connector, identifier);
      store.applyAuthorization(account, req.connectedAccount?.authorizationDetails);
      if (req.connectedAccount?.apiConfig) account.apiConfig = req.connectedAccount.apiConfig;
      return { connectedAccount: store.message(account, true) };
    },

    updateConnectedAccount: (req) => {
      const account = store.require(req);
      store.applyAuthorization(account, req.connectedAccount?.authorizationDetails);
      if (req.connectedAccount?.apiConfig) account.apiConfig = req.connectedAccount.apiConfig;
      store.touch(account, account.status);
      return { connectedAccount: store.message(account, true) };
    },

    listConnectedAccounts: (req) => {
      const query = req.query.toLowerCase();
      const matching = [...store.accounts.values()].filter(
        (account) =>
          (!req.connector || account.connector === req.connector) &&
          (!req.identifier || account.identifier === req.identifier) &&
          (!req.provider || req.provider.toUpperCase() === PROVIDER) &&
          (req.connectionNames.length === 0 || req.connectionNames.includes(account.connector)) &&
          (!query || account.identifier.toLowerCase().includes(query)),
      );
      const page = paginate(matching, req.pageSize, req.pageToken, DEFAULT_PAGE_SIZE);
      return {
        // ConnectedAccountForList has no authorizationDetails field, so listing never exposes credentials.
        connectedAccounts: page.items.map((account) => store.message(account, false)),
        totalSize: matching.length,
        nextPageToken: page.nextPageToken,
        prevPageToken: page.prevPageToken,
      };
    },

    getMagicLinkForConnectedAccount: (req) => {
      if (req.userVerifyUrl !== undefined && !URL.canParse(req.userVerifyUrl)) {
        throw new ConnectError('user_verify_url must be an absolute URL', Code.InvalidArgument);
      }
      // Getting a link for an unknown account creates it: the docs' quickstarts never create one first.
      const account = req.id ? store.require(req) : (store.find(req) ?? store.createFromRequest(req));
      const link: MagicLinkRecord = {
        id: randomBytes(18).toString('base64url'),
        accountId: account.id,
        connector: account.connector,
        identifier: account.identifier,
        ...(req.state !== undefined && { state: req.state }),
        ...(req.userVerifyUrl !== undefined && { userVerifyUrl: req.userVerifyUrl }),
        expiresAt: deps.now() + store.linkTtlMs,
      };
      store.magicLinks.set(link.id, link);
      return { link: deps.magicLinkUrl(link.id), expiry: timestampFromDate(new Date(link.expiresAt)) };
    },

    verifyConnectedAccountUser: (req) => {
      const request = store.authRequests.get(req.authRequestId);
      const account = request && store.byId(request.accountId);
      if (!request || !account || request.consumed || request.expiresAt <= deps.now()) {
        throw new ConnectError('no pending flow for the given auth_request_id or already consumed', Code.NotFound);
      }
      // A mismatch leaves the request pending, so the rightful teammate can still finish (not documented).
      if (req.identifier !== request.identifier) {
        throw new ConnectError(
          'identifier does not match the one the authorization link was created for',
          Code.PermissionDenied,
        );
      }
      request.consumed = true;
      account.credentials = request.pendingCredentials;
      store.touch(account, ConnectorStatus.ACTIVE);
      return { postUserVerifyRedirectUrl: `${deps.url()}/connected` };
    },

    deleteConnectedAccount: (req) => {
      const account = store.require(req);
      store.accounts.delete(accountKey(account.connector, account.identifier));
      store.forgetFlows(account.id);
      return {};
    },
  };
}
