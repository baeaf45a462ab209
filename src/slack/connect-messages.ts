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
  '• `/connect-intercom help` shows this help',
].join('\n');
