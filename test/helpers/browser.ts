/**
 * A minimal browser for connect-flow tests: follows redirects itself and keeps cookies the way browsers do
 * (per host, ignoring the port, honouring Path and Max-Age=0), so cookie checks are exercised for real.
 */
export interface Browser {
  /** Every URL this browser has loaded, in order. */
  history: string[];
  visit(url: string): Promise<{ status: number; url: string; body: string }>;
  cookies(): Array<{ host: string; name: string; value: string; path: string }>;
  clearCookies(): void;
}

export function createBrowser(): Browser {
  let jar: Array<{ host: string; name: string; value: string; path: string }> = [];
  const history: string[] = [];

  const cookieHeader = (url: URL) =>
    jar
      .filter((c) => c.host === url.hostname && url.pathname.startsWith(c.path))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');

  const store = (url: URL, header: string) => {
    const [pair = '', ...attributes] = header.split(';').map((p) => p.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    let path = '/';
    let remove = false;
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=');
      if (key.toLowerCase() === 'path') path = val;
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) remove = true;
    }
    jar = jar.filter((c) => !(c.host === url.hostname && c.name === name && c.path === path));
    if (!remove) jar.push({ host: url.hostname, name, value, path });
  };

  return {
    history,
    async visit(start) {
      let url = new URL(start);
      for (let hops = 0; hops < 10; hops++) {
        history.push(url.toString());
        const cookie = cookieHeader(url);
        const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
        for (const header of res.headers.getSetCookie()) store(url, header);
        const location = res.headers.get('location');
        if (res.status >= 300 && res.status < 400 && location) {
          await res.body?.cancel();
          url = new URL(location, url);
          continue;
        }
        return { status: res.status, url: url.toString(), body: await res.text() };
      }
      throw new Error('too many redirects');
    },
    cookies: () => [...jar],
    clearCookies() {
      jar = [];
    },
  };
}
