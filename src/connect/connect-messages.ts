import type { types } from '@slack/bolt';

export const CONNECT_BUTTON_ACTION = 'connect_intercom_link';

/** The DM with a connect link: a button for the eye, the plain link for clients that cannot show buttons. */
export function buildConnectMessage(
  url: string,
  reason: 'requested' | 'needed' | 'expired',
): {
  text: string;
  blocks: types.KnownBlock[];
} {
  const intro = {
    requested: 'Here is your link to connect your Intercom account.',
    needed: 'To work in Intercom for you, I need access to *your own* Intercom account first.',
    expired: 'Your Intercom connection has expired or was revoked, so I need you to connect it again.',
  }[reason];
  return {
    text: `${intro.replaceAll('*', '')} Connect here (works once, for 10 minutes): ${url}`,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `${intro}\nI will act with your Intercom permissions only, and you can disconnect at any time.`,
        },
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'button',
            action_id: CONNECT_BUTTON_ACTION,
            style: 'primary',
            text: { type: 'plain_text', text: 'Connect Intercom' },
            url,
          },
        ],
      },
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `This link works once and expires in 10 minutes: <${url}|${url}>` }],
      },
    ],
  };
}

export const CONNECTED_TEXT =
  ':white_check_mark: Intercom connected. Mention me in a channel or message me here, and I will work in Intercom as you.';

export const CONNECT_HELP_TEXT = [
  '*/connect-intercom* connects your own Intercom account, so I can work in Intercom as you.',
  '• `/connect-intercom` sends you a link to connect (or tells you that you are connected)',
  '• `/connect-intercom status` shows whether you are connected, since when, and what I did this week',
  '• `/connect-intercom disconnect` cuts me off from your Intercom (after you confirm)',
  '• `/connect-intercom help` shows this help',
  'Your recent actions are on my *Home* tab.',
].join('\n');

export const DISCONNECT_ACTIONS = { confirm: 'disconnect_confirm', keep: 'disconnect_keep' } as const;
export const HOME_CONNECT_ACTION = 'home_connect';

/** The Disconnect button, with Slack's own confirmation dialog. */
export function disconnectButton(): types.Button {
  return {
    type: 'button',
    action_id: DISCONNECT_ACTIONS.confirm,
    style: 'danger',
    text: { type: 'plain_text', text: 'Disconnect' },
    confirm: {
      title: { type: 'plain_text', text: 'Disconnect Intercom?' },
      text: {
        type: 'mrkdwn',
        text: 'I will stop working in Intercom for you, cancel your pending approvals and forget requests waiting for you to connect.',
      },
      confirm: { type: 'plain_text', text: 'Disconnect' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    },
  };
}

export function buildDisconnectPrompt(): { text: string; blocks: types.KnownBlock[] } {
  const text = 'Disconnect your Intercom account? I will stop acting for you in Intercom.';
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        elements: [
          disconnectButton(),
          { type: 'button', action_id: DISCONNECT_ACTIONS.keep, text: { type: 'plain_text', text: 'Keep it' } },
        ],
      },
    ],
  };
}
