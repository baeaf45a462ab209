import { escapeHtml } from '../../shared/escape.ts';
import type { IntercomAdmin } from '../intercom/records.ts';

/**
 * Intercom's OAuth consent screen, as the demo shows it between the bot's connect page and its verify page: who
 * is signed in to Intercom (the demo lets you pick), what the app may do, and Allow.
 */
export function consentPage(admins: readonly IntercomAdmin[], signedInAs: string | undefined): string {
  const options = admins
    .map(
      (admin) =>
        `<option value="${escapeHtml(admin.id)}"${admin.id === signedInAs ? ' selected' : ''}>${escapeHtml(
          `${admin.name} (${admin.email})`,
        )}</option>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Intercom: authorize Intercom Agent</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1f2933;margin:0}
.card{max-width:30rem;margin:3rem auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 2px 12px #0002}
.brand{font-weight:700;color:#1f8ded;letter-spacing:.02em}.note{color:#52606d;font-size:13px}
select,button{font:inherit;width:100%;padding:.55rem;margin:.4rem 0;border-radius:6px;border:1px solid #cbd2d9}
button{background:#1f8ded;color:#fff;border:0;font-weight:600;cursor:pointer}
</style></head><body><div class="card">
<p class="brand">intercom</p>
<h1>Intercom Agent wants to access your Intercom workspace</h1>
<p class="note">Demo stand-in for Intercom's consent screen (via Scalekit). Nothing leaves this machine.</p>
<form method="post">
<label for="admin">Signed in to Intercom as</label>
<select id="admin" name="admin_id">${options}</select>
<p>It will be able to read and reply to conversations, read and update contacts, and add notes and tags, with
your permissions.</p>
<button type="submit" id="allow">Allow access</button>
</form></div></body></html>`;
}
