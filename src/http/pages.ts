import type { ServerResponse } from 'node:http';
import { escapeHtml } from '../shared/escape.ts';

/** A small self-contained HTML page: no scripts, nothing loaded from elsewhere, not frameable. */
export function sendPage(
  res: ServerResponse,
  status: number,
  page: {
    title: string;
    paragraphs: string[];
    /** A button that POSTs to the page's own URL (the form has no action, so nothing in the URL is copied into it). */
    postButton?: string;
  },
  headers: Record<string, string | string[]> = {},
): void {
  const form = page.postButton
    ? `\n<form method="post"><button type="submit">${escapeHtml(page.postButton)}</button></form>`
    : '';
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#1f2933}h1{font-size:1.4rem}button{font:inherit;padding:.5rem 1.5rem}</style>
</head><body><h1>${escapeHtml(page.title)}</h1>
${page.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}${form}
</body></html>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    // No form-action: it does not fall back to default-src, and Chromium applies it to every redirect after a form
    // submission, so listing 'self' would block the POST's redirect on to Scalekit (and from there to Intercom,
    // whose hosts we do not know). With no script and only our own escaped text, nothing else can submit a form.
    'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    // A form page needs its POST to carry our Origin (see the connect routes): under no-referrer, browsers send
    // `Origin: null`. same-origin still sends nothing to other sites.
    'Referrer-Policy': page.postButton ? 'same-origin' : 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    ...headers,
  });
  res.end(body);
}
