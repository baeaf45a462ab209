import type { types, webApi } from '@slack/bolt';
import type { IdentityStore, SlackUser } from '../identity/identity-store.ts';
import type { ScalekitGateway } from '../scalekit/scalekit-gateway.ts';
import { inlineCode } from '../shared/escape.ts';
import { type AccountService, describeSummary } from './account.ts';
import type { ConnectPrompter } from './connect-flow.ts';
import { buildDisconnectPrompt, CONNECT_HELP_TEXT } from './connect-messages.ts';

export interface CommandReply {
  text: string;
  blocks?: types.KnownBlock[];
}

export interface ConnectCommandDeps {
  identities: IdentityStore;
  gateway: Pick<ScalekitGateway, 'accountStatus'>;
  prompt: ConnectPrompter;
  account: Pick<AccountService, 'summary'>;
}

/** `/connect-intercom [status | disconnect | help]`: the ephemeral answer for the person who ran it. */
export function createConnectCommand(
  deps: ConnectCommandDeps,
): (user: SlackUser, text: string, client: webApi.WebClient) => Promise<CommandReply> {
  return async (user, text, client) => {
    const subcommand = text.trim().toLowerCase();
    switch (subcommand) {
      case '':
      case 'connect': {
        const account = await deps.gateway.accountStatus(await deps.identities.identifierFor(user));
        if (account?.active) {
          return {
            text: ':white_check_mark: Your Intercom account is already connected. `/connect-intercom disconnect` cuts it off.',
          };
        }
        await deps.prompt(client, user, account?.statusName === 'EXPIRED' ? 'expired' : 'requested');
        return { text: "I've sent you a DM with a link to connect your Intercom account." };
      }
      case 'status':
        return { text: describeSummary(await deps.account.summary(user)) };
      case 'disconnect':
        return buildDisconnectPrompt();
      case 'help':
        return { text: CONNECT_HELP_TEXT };
      default: {
        return { text: `I don't know ${inlineCode(text.trim().slice(0, 40))}.\n${CONNECT_HELP_TEXT}` };
      }
    }
  };
}
