import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BrowserBinding,
  bindingKey,
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

/**
 * One cookie per pending step, named `intercom_connect_<binding key>` (see `BrowserBinding`). Over https the name
 * starts with `__Host-`: browsers then accept it only from our own origin, Secure and for the whole site, so a
 * sibling subdomain cannot plant or shadow one.
 */
const cookiePrefix = (https: boolean) => (https ? '__Host-intercom_connect_' : 'intercom_connect_');
const START_AGAIN = 'Run /connect-intercom in Slack to get a new link.';
const STILL_WAITING =
  'If you are connecting Intercom in another tab, that connection is still waiting: finish it there.';

export interface ConnectRoutesDeps {
  connect: ConnectService;
  publicUrl: string;
  /** Runs after the success page is sent: tell the user in Slack, resume what they asked for. */
  onConnected: (user: SlackUser) => Promise<void>;
  logger: Logger;
}

export function createConnectRoutes(deps: ConnectRoutesDeps): Route[] {
  const https = deps.publicUrl.startsWith('https://');
  const prefix = cookiePrefix(https);
  const secure = https ? '; Secure' : '';
  // Lax: the cookie must come back on the top-level redirects from Slack and Scalekit to our pages.
  const bindCookie = ({ key, secret }: BrowserBinding) =>
    `${prefix}${key}=${secret}; Path=/; Max-Age=1800; HttpOnly; SameSite=Lax${secure}`;
  const releaseCookie = (key: string) => `${prefix}${key}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure}`;

  /** The flow a returning browser names (its `state`), and the cookie this browser holds for that flow, if any. */
  const flowOf = (req: IncomingMessage, url: URL) => {
    const state = url.searchParams.get('state') ?? undefined;
    const jar = readCookies(req);
    const ownKey = state ? bindingKey(state) : undefined;
    const browserSecret = ownKey ? jar.get(`${prefix}${ownKey}`) : undefined;
    return {
      flow: { state, browserSecret },
      jar,
      ownKey,
      param: (name: string) => url.searchParams.get(name) ?? undefined,
    };
  };
  const releasing = (key: string | undefined): Record<string, string> =>
    key ? { 'Set-Cookie': releaseCookie(key) } : {};

  /** A refusal page; it touches no cookie but the one of a step this browser has just used up (`release`). */
  const refuse = (
    res: ServerResponse,
    [status, title, paragraphs]: [number, string, string[]],
    context: { jar: Map<string, string>; ownKey?: string; release?: string },
  ) => {
    const waiting = [...context.jar.keys()].some(
      (name) => name.startsWith(prefix) && name !== `${prefix}${context.ownKey}`,
    );
    sendPage(
      res,
      status,
      { title, paragraphs: waiting ? [...paragraphs, STILL_WAITING] : paragraphs },
      releasing(context.release),
    );
  };

  const answerLink = (res: ServerResponse, result: OpenLinkResult, jar: Map<string, string>, ownKey?: string) => {
    if (!result.ok) {
      refuse(res, LINK_PAGES[result.problem], { jar, ownKey, release: result.release });
      return;
    }
    const cookies = [bindCookie(result.bind)];
    if (result.release) cookies.push(releaseCookie(result.release));
    // 303: after the Continue form's POST, the browser goes on with a GET.
    res.writeHead(303, {
      Location: result.location,
      'Set-Cookie': cookies,
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    });
    res.end();
  };

  /**
   * Opening a link changes nothing: mail scanners, Slack's link expansion and prefetchers GET (and HEAD) links before
   * the person clicks, and must not use up the single-use link. The page's Continue button does that with a POST.
   */
  const showLink: Route['handle'] = async (req, res, params) => {
    const check = await deps.connect.checkLink(params.token ?? '');
    if (!check.ok) {
      refuse(res, LINK_PAGES[check.problem], { jar: readCookies(req) });
      return;
    }
    sendPage(res, 200, {
      title: 'Connect your Intercom account',
      paragraphs: [
        'Press Continue to approve access in Intercom. The support bot will then work in Intercom as you, with your permissions only.',
      ],
      postButton: 'Continue',
    });
  };
  const publicOrigin = new URL(deps.publicUrl).origin;

  return [
    { method: 'GET', path: CONNECT_PATH, handle: showLink },
    { method: 'HEAD', path: CONNECT_PATH, handle: showLink },
    {
      method: 'POST',
      path: CONNECT_PATH,
      async handle(req, res, params) {
        req.resume(); // The form has no fields worth reading.
        const jar = readCookies(req);
        if (!fromOurOwnPage(req, publicOrigin)) {
          refuse(res, FOREIGN_POST_PAGE, { jar });
          return;
        }
        answerLink(res, await deps.connect.openLink(params.token ?? ''), jar);
      },
    },
    {
      method: 'GET',
      path: SLACK_SIGNIN_CALLBACK_PATH,
      async handle(req, res, _params, url) {
        const { flow, jar, ownKey, param } = flowOf(req, url);
        answerLink(res, await deps.connect.completeSignIn({ code: param('code'), ...flow }), jar, ownKey);
      },
    },
    {
      method: 'GET',
      path: VERIFY_PATH,
      async handle(req, res, _params, url) {
        const { flow, jar, ownKey, param } = flowOf(req, url);
        const result = await deps.connect.verify({ authRequestId: param('auth_request_id'), ...flow });
        if (!result.ok) {
          // A stray hit (no parameters, someone else's state, a reload) must not end the flow waiting in this
          // browser: only `release`, set when this browser's own flow was used up, clears a cookie.
          refuse(res, VERIFY_PAGES[result.problem], { jar, ownKey, release: result.release });
          return;
        }
        sendPage(
          res,
          200,
          { title: 'Intercom is connected', paragraphs: ['You can close this tab and go back to Slack.'] },
          releasing(result.release),
        );
        deps.onConnected(result.user).catch((error: unknown) => {
          deps.logger.error('Follow-up after connecting failed', { userId: result.user.userId }, error);
        });
      },
    },
  ];
}

/**
 * Whether a POST to a connect link comes from our own Continue page rather than from another site's form.
 *
 * The token in the path is the capability: whoever holds it can POST it from their own browser, so a CSRF token
 * tied to the page would add nothing against them. What a check can stop is another site making this browser submit
 * a link the attacker got for themselves (this browser's Intercom would be attached to the attacker's Slack user). A
 * browser marks such a POST with `Sec-Fetch-Site: cross-site` and, failing that header, a foreign `Origin` (`null`
 * from sandboxed frames); scripts can set neither. Every current browser sends at least one of them on a cross-site
 * POST, so a request with neither is not one another site made. Talking someone into opening the attacker's link
 * and pressing Continue themselves is what Sign in with Slack (SLACK_CLIENT_ID/SECRET) stops.
 */
function fromOurOwnPage(req: IncomingMessage, publicOrigin: string): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  const origin = req.headers.origin;
  return origin === undefined || origin === publicOrigin;
}

const FOREIGN_POST_PAGE: [number, string, string[]] = [
  403,
  'This request did not come from the connect page',
  ['Nothing was changed, and your link still works: open it from Slack again and press Continue.'],
];

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

function readCookies(req: IncomingMessage): Map<string, string> {
  const jar = new Map<string, string>();
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name = '', ...value] = part.trim().split('=');
    if (name && value.join('=') && !jar.has(name)) jar.set(name, value.join('='));
  }
  return jar;
}
