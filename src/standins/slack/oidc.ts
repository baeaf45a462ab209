import type { ServerResponse } from 'node:http';

export interface OidcSettings {
  clientId: string;
  clientSecret: string;
  /** Who the next browser at the authorize page "is". */
  signedInUser?: { teamId: string; userId: string };
}

/**
 * Sign in with Slack (OpenID Connect): the authorize page sends the browser back with a code, the token endpoint
 * checks the app's client credentials, and userInfo says who signed in.
 */
export function createOidc(settings: OidcSettings, newId: () => number) {
  const codes = new Map<string, { teamId: string; userId: string; redirectUri: string }>();
  const tokens = new Map<string, { teamId: string; userId: string }>();

  return {
    /** GET /openid/connect/authorize: the user "signs in" as whoever `signedInUser` says. */
    authorize(url: URL, res: ServerResponse): void {
      const user = settings.signedInUser;
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (!user || url.searchParams.get('client_id') !== settings.clientId || !redirectUri) {
        res.writeHead(400).end('bad authorize request');
        return;
      }
      const code = `oidc-code-${newId()}`;
      codes.set(code, { ...user, redirectUri });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
    },

    /** openid.connect.token and openid.connect.userInfo. */
    answer(method: string, p: Record<string, unknown>, token: string | undefined): Record<string, unknown> {
      if (method === 'openid.connect.token') {
        if (p.client_id !== settings.clientId || p.client_secret !== settings.clientSecret) {
          return { ok: false, error: 'invalid_client' };
        }
        const grant = codes.get(String(p.code));
        codes.delete(String(p.code));
        if (!grant || grant.redirectUri !== p.redirect_uri) return { ok: false, error: 'invalid_code' };
        const accessToken = `xoxp-oidc-${newId()}`;
        tokens.set(accessToken, grant);
        return { ok: true, access_token: accessToken, token_type: 'Bearer', id_token: 'header.payload.signature' };
      }
      const who = token ? tokens.get(token) : undefined;
      if (!who) return { ok: false, error: 'invalid_auth' };
      return {
        ok: true,
        sub: who.userId,
        'https://slack.com/user_id': who.userId,
        'https://slack.com/team_id': who.teamId,
      };
    },
  };
}
