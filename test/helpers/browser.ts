/**
 * A minimal browser for connect-flow tests: follows redirects itself and keeps cookies the way browsers do
 * (host-only per host, ignoring the port, honouring Path, Secure and Max-Age=0), so cookie checks are exercised
 * for real.
 */
export interface Browser {
  /** Every URL this browser has loaded, in order. */
  history: string[];
  /** Loads a URL and follows redirects, like typing it in (or clicking a link from Slack). */
  visit(url: string, options?: VisitOptions): Promise<Page>;
  /**
   * Presses the button of the page's one form, as a person would: a GET or POST to the form's action (the page's own
   * URL when it has none) with the form's fields, `Origin` and `Sec-Fetch-Site` set as a browser sets them, and
   * redirects followed (a 303, or a 301/302 after a POST, continues as a GET).
   */
  submit(page: Page, options?: VisitOptions): Promise<Page>;
  cookies(): Array<{ host: string; name: string; value: string; path: string }>;
  clearCookies(): void;
}

export interface Page {
  status: number;
  url: string;
  body: string;
  /** Set when `stopBefore` held back a redirect: where it pointed. */
  location?: string;
}

export interface VisitOptions {
  /** Stops before loading a redirect's target that matches, returning the redirect itself (with `location`). */
  stopBefore?: (url: URL) => boolean;
}

interface Cookie {
  host: string;
  name: string;
  value: string;
  path: string;
  secure: boolean;
}

export function createBrowser(): Browser {
  let jar: Cookie[] = [];
  const history: string[] = [];

  // RFC 6265 §5.1.4: "/a" matches "/a" and "/a/b", not "/ab".
  const pathMatches = (path: string, cookiePath: string) =>
    path === cookiePath ||
    (path.startsWith(cookiePath) && (cookiePath.endsWith('/') || path[cookiePath.length] === '/'));

  const cookieHeader = (url: URL) =>
    jar
      .filter((c) => c.host === url.hostname && pathMatches(url.pathname, c.path))
      .filter((c) => !c.secure || url.protocol === 'https:')
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');

  const store = (url: URL, header: string) => {
    const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    if (eq < 1) return;
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let remove = false;
    let secure = false;
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path' && val.startsWith('/')) path = val;
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) remove = true;
      if (key.toLowerCase() === 'secure') secure = true;
    }
    // Browsers refuse Secure cookies from plain http (RFC 6265bis §5.6).
    if (secure && url.protocol !== 'https:') return;
    jar = jar.filter((c) => !(c.host === url.hostname && c.name === name && c.path === path));
    if (!remove) jar.push({ host: url.hostname, name, value, path, secure });
  };

  async function load(
    start: URL,
    init: { method: string; body?: string; headers?: Record<string, string> },
    options: VisitOptions,
  ): Promise<Page> {
    let url = start;
    let request = init;
    for (let hops = 0; hops < 10; hops++) {
      history.push(url.toString());
      const cookie = cookieHeader(url);
      const res = await fetch(url, {
        method: request.method,
        body: request.body,
        redirect: 'manual',
        headers: { ...request.headers, ...(cookie && { cookie }) },
      });
      for (const header of res.headers.getSetCookie()) store(url, header);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        const next = new URL(location, url);
        if (options.stopBefore?.(next))
          return { status: res.status, url: url.toString(), body: '', location: next.href };
        // 307/308 repeat the request; every other redirect continues as a GET without a body.
        if (res.status !== 307 && res.status !== 308) request = { method: 'GET' };
        url = next;
        continue;
      }
      return { status: res.status, url: url.toString(), body: await res.text() };
    }
    throw new Error('too many redirects');
  }

  return {
    history,
    visit: (url, options = {}) => load(new URL(url), { method: 'GET' }, options),
    async submit(page, options = {}) {
      const forms = [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
      if (forms.length !== 1) throw new Error(`expected one form on ${page.url}, found ${forms.length}`);
      const [, attributes = '', inner = ''] = forms[0] as RegExpMatchArray;
      if (!/<button\b/i.test(inner)) throw new Error('the form has no button to press');
      const method = (attribute(attributes, 'method') ?? 'get').toUpperCase();
      const action = attribute(attributes, 'action');
      const target = new URL(action ? action : page.url, page.url);
      const fields = new URLSearchParams();
      for (const [, input = ''] of inner.matchAll(/<input\b([^>]*)>/gi)) {
        const name = attribute(input, 'name');
        if (name) fields.append(name, attribute(input, 'value') ?? '');
      }
      if (method === 'GET') {
        target.search = fields.toString();
        return load(target, { method: 'GET' }, options);
      }
      const from = new URL(page.url);
      return load(
        target,
        {
          method: 'POST',
          body: fields.toString(),
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: from.origin,
            // Simplified: same-site (a sibling subdomain) is not told apart from cross-site.
            'sec-fetch-site': from.origin === target.origin ? 'same-origin' : 'cross-site',
          },
        },
        options,
      );
    },
    cookies: () => jar.map(({ host, name, value, path }) => ({ host, name, value, path })),
    clearCookies() {
      jar = [];
    },
  };
}

function attribute(attributes: string, name: string): string | undefined {
  const match = new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attributes);
  if (!match) return undefined;
  return decodeEntities(match[1] ?? match[2] ?? match[3] ?? '');
}

function decodeEntities(text: string): string {
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/**
 * Opens a connect link the way its owner does: the link's page (which a GET only shows), then Continue. The page
 * must be the Continue page, so a test cannot pass on a link that connects on GET.
 */
export async function openConnectLink(browser: Browser, link: string, options?: VisitOptions): Promise<Page> {
  const page = await browser.visit(link);
  if (page.status !== 200 || !page.body.includes('Connect your Intercom account')) {
    throw new Error(`expected the Continue page at ${link}, got ${page.status}`);
  }
  return browser.submit(page, options);
}
