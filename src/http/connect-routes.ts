import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  CONNECT_PATH,
  type ConnectService,
  type OpenLinkProblem,
  type OpenLinkResult,
  SLACK_SIGNIN_CALLBACK_PATH,
  VERIFY_PATH,
  type VerifyProblem,
} from '../connect/connect-service.ts';
import type { SlackUser } from '../identity/identity-store.ts';
import type { Logger } from '../logger.ts';
import { sendPage } from './pages.ts';
import type { Route } from './server.ts';

const COOKIE = 'intercom_connect';
const START_AGAIN = 'Run /connect-intercom in Slack to get a new link.';

export interface ConnectRoutesDeps {
  connect: ConnectService;
  publicUrl: string;
  /** Runs after the success page is sent: tell the user in Slack, resume what they asked for. */
  onConnected: (user: SlackUser) => Promise<void>;
  logger: Logger;
}

export function createConnectRoutes(deps: ConnectRoutesDeps): Route[] {
  const secure = deps.publicUrl.startsWith('https://') ? '; Secure' : '';
  // Lax: the cookie must come back on the top-level redirects from Slack and Scalekit to our pages.
  const flowCookie = (value: string) => `${COOKIE}=${value}; Path=/; Max-Age=1800; HttpOnly; SameSite=Lax${secure}`;
  const clearCookie = `${COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`;

  const answerLink = (res: ServerResponse, result: OpenLinkResult) => {
    if (!result.ok) {
      const [status, title, paragraphs] = LINK_PAGES[result.problem];
      sendPage(res, status, { title, paragraphs });
      return;
    }
    res.writeHead(302, {
      Location: result.location,
      'Set-Cookie': flowCookie(result.browserSecret),
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    res.end();
  };

  return [
    {
      method: 'GET',
      path: CONNECT_PATH,
      handle: async (_req, res, params) => answerLink(res, await deps.connect.openLink(params.token ?? '')),
    },
    {
      method: 'GET',
      path: SLACK_SIGNIN_CALLBACK_PATH,
      handle: async (req, res, _params, url) =>
        answerLink(
          res,
          await deps.connect.completeSignIn({
            code: url.searchParams.get('code') ?? undefined,
            state: url.searchParams.get('state') ?? undefined,
            browserSecret: readCookie(req, COOKIE),
          }),
        ),
    },
    {
      method: 'GET',
      path: VERIFY_PATH,
      async handle(req, res, _params, url) {
        const result = await deps.connect.verify({
          authRequestId: url.searchParams.get('auth_request_id') ?? undefined,
          state: url.searchParams.get('state') ?? undefined,
          browserSecret: readCookie(req, COOKIE),
        });
        if (!result.ok) {
          const [status, title, paragraphs] = VERIFY_PAGES[result.problem];
          const keepCookie = result.problem === 'unavailable';
          sendPage(res, status, { title, paragraphs }, keepCookie ? {} : { 'Set-Cookie': clearCookie });
          return;
        }
        sendPage(
          res,
          200,
          { title: 'Intercom is connected', paragraphs: ['You can close this tab and go back to Slack.'] },
          { 'Set-Cookie': clearCookie },
        );
        deps.onConnected(result.user).catch((error: unknown) => {
          deps.logger.error('Follow-up after connecting failed', { userId: result.user.userId }, error);
        });
      },
    },
  ];
}

const LINK_PAGES: Record<OpenLinkProblem, [number, string, string[]]> = {
  unknown: [404, 'This connect link is not valid', ['Check that you opened the whole link.', START_AGAIN]],
  expired: [410, 'This connect link has expired', ['Connect links work for 10 minutes.', START_AGAIN]],
  used: [410, 'This connect link was already used', ['Each connect link works once.', START_AGAIN]],
  unavailable: [
    503,
    'Intercom connection is unavailable right now',
    ['We could not reach the connection service. Your link still works: try it again in a minute.'],
  ],
  bad_request: [400, 'This page needs a sign-in response from Slack', [START_AGAIN]],
  wrong_browser: [
    403,
    'Please finish connecting in the browser where you started',
    ['A connection has to be completed in the same browser that opened the link from Slack.', START_AGAIN],
  ],
  wrong_slack_user: [
    403,
    'This link belongs to another Slack user',
    [
      'You signed in to Slack as someone other than the person this link was sent to, so it has been cancelled.',
      'Connect links only work for the person they were sent to. Run /connect-intercom yourself to get your own.',
    ],
  ],
  sign_in_failed: [503, 'Signing in with Slack did not work', ['Slack did not confirm who you are.', START_AGAIN]],
};

const VERIFY_PAGES: Record<VerifyProblem, [number, string, string[]]> = {
  bad_request: [
    400,
    'This page needs a connection request',
    ['It is opened by Scalekit after you approve access in Intercom.', START_AGAIN],
  ],
  unknown_state: [400, 'We do not recognise this connection request', [START_AGAIN]],
  expired: [410, 'This connection request has expired', [START_AGAIN]],
  used: [409, 'This connection request was already used', ['If you just connected, you are all set.', START_AGAIN]],
  wrong_browser: [
    403,
    'Please finish connecting in the browser where you started',
    [
      'For your security, a connection has to be completed in the same browser that opened the link from Slack.',
      START_AGAIN,
    ],
  ],
  identifier_mismatch: [
    403,
    'This connection belongs to someone else',
    ['Scalekit says this sign-in was started for a different account.', START_AGAIN],
  ],
  not_found: [
    410,
    'This connection request is no longer valid',
    ['It was already completed or has expired at Scalekit.', START_AGAIN],
  ],
  unavailable: [
    503,
    'We could not finish connecting right now',
    ['The connection service did not answer. Reload this page in a minute to try again.'],
  ],
};

function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=') || undefined;
  }
  return undefined;
}
