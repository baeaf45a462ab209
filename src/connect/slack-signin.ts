import type { webApi } from '@slack/bolt';
import type { SlackUser } from '../identity/identity-store.ts';

/** Sign in with Slack (OpenID Connect): who is at the browser, according to Slack. */
export interface SlackSignIn {
  /** Where to send the browser; Slack comes back to `redirectUri` with a code and our state. */
  authorizeUrl(params: { state: string; teamId: string }): string;
  /** Trades the code for the signed-in user's team and user id. */
  userFor(code: string): Promise<SlackUser>;
}

export function createSlackSignIn(params: {
  client: webApi.WebClient;
  /** SLACK_API_URL: the authorize page lives on the same host (slack.com, slack-gov.com). */
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}): SlackSignIn {
  const origin = new URL(params.apiUrl).origin;
  return {
    authorizeUrl({ state, teamId }) {
      const url = new URL('/openid/connect/authorize', origin);
      url.search = new URLSearchParams({
        response_type: 'code',
        scope: 'openid',
        client_id: params.clientId,
        redirect_uri: params.redirectUri,
        state,
        team: teamId,
      }).toString();
      return url.toString();
    },
    async userFor(code) {
      const token = await params.client.openid.connect.token({
        client_id: params.clientId,
        client_secret: params.clientSecret,
        code,
        redirect_uri: params.redirectUri,
      });
      if (!token.access_token) throw new Error('Slack returned no access token');
      // The token came straight from Slack over TLS with our client secret, so asking Slack who it belongs to is
      // as good as checking the ID token's signature (OIDC Core 3.1.3.7).
      const info = await params.client.openid.connect.userInfo({ token: token.access_token });
      const userId = info['https://slack.com/user_id'];
      const teamId = info['https://slack.com/team_id'];
      if (!userId || !teamId) throw new Error('Slack did not say who signed in');
      return { teamId, userId };
    },
  };
}
