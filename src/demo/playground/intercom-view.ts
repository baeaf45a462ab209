import { escapeHtml } from '../../shared/escape.ts';
import { intercomHtmlToText } from '../../shared/intercom-html.ts';
import type { IntercomConversation, IntercomConversationPart } from '../../standins/intercom/records.ts';
import type { IntercomWorkspace } from '../../standins/intercom/workspace.ts';
import type { AccountView } from '../../standins/scalekit/types.ts';
import { TEAMMATES } from './teammates.ts';

/**
 * The sample Intercom workspace, read-only, so a user can check what the bot really did "in Intercom": who is
 * connected as whom, every conversation with its parts, tags and assignee, and the notes on contacts. Parts and
 * notes added since the demo started are marked new.
 */
export function renderIntercom(params: {
  intercom: IntercomWorkspace;
  accounts: AccountView[];
  identifierOf: (userId: string) => string | undefined;
  startedAt: number;
}): string {
  const { intercom } = params;
  const admin = (id: string | null | undefined) => (id ? intercom.findAdmin(id)?.name : undefined);
  const isNew = (seconds: number) => seconds * 1000 >= params.startedAt;

  const connections = TEAMMATES.map((person) => {
    const identifier = params.identifierOf(person.id);
    const account = params.accounts.find((a) => a.identifier === identifier);
    const as = identifier ? admin(intercom.boundAdminId(identifier)) : undefined;
    const status = account ? account.statusName.toLowerCase().replaceAll('_', ' ') : 'not connected';
    return `<tr><td>${escapeHtml(person.fullName)}</td><td class="status-${escapeHtml(
      account?.statusName ?? 'NONE',
    )}">${escapeHtml(status)}</td><td>${escapeHtml(account?.statusName === 'ACTIVE' && as ? as : '—')}</td></tr>`;
  }).join('');

  const conversations = [...intercom.conversations]
    .sort((a, b) => b.updated_at - a.updated_at)
    .map((c) => conversationHtml(c, intercom, admin, isNew))
    .join('');

  const notes = intercom.notes
    .map((note) => {
      const contact = intercom.findContact(note.contact.id);
      return `<li class="${isNew(note.created_at) ? 'new' : ''}"><b>${escapeHtml(
        contact?.name ?? contact?.email ?? note.contact.id,
      )}</b> · ${escapeHtml(note.author.name)}: ${escapeHtml(bodyText(note.body))}${newBadge(isNew(note.created_at))}</li>`;
    })
    .join('');

  return `<div class="intercom">
<p class="muted">This is the demo's stand-in for Intercom. The bot changes it only through the real tools, as the teammate who approved.</p>
<h2>Connected accounts (Scalekit)</h2>
<table class="ic-table"><tr><th>Teammate</th><th>Status</th><th>Acts in Intercom as</th></tr>${connections}</table>
<h2>Conversations</h2>${conversations}
<h2>Notes on contacts</h2><ul class="ic-notes">${notes}</ul>
</div>`;
}

function conversationHtml(
  c: IntercomConversation,
  intercom: IntercomWorkspace,
  admin: (id: string | null | undefined) => string | undefined,
  isNew: (seconds: number) => boolean,
): string {
  const contact = intercom.findContact(c.contacts.contacts[0]?.id ?? '');
  const tags = c.tags.tags.map((t) => `<span class="ic-tag">${escapeHtml(t.name)}</span>`).join(' ');
  const parts = c.conversation_parts.conversation_parts.map((p) => partHtml(p, isNew)).join('');
  return `<section class="ic-conversation" data-conversation-id="${escapeHtml(c.id)}">
<div class="ic-head"><b>${escapeHtml(c.title ?? c.source.subject)}</b> <span class="muted">#${escapeHtml(c.id)}</span>
<span class="ic-state ${escapeHtml(c.state)}">${escapeHtml(c.state)}</span> ${tags}</div>
<div class="muted">${escapeHtml(contact ? `${contact.name ?? 'Lead'} <${contact.email}>` : 'unknown contact')} · assigned to ${escapeHtml(
    admin(c.admin_assignee_id) ?? 'nobody',
  )}</div>
<ol class="ic-parts"><li><b>${escapeHtml(c.source.author.name ?? c.source.author.email)}</b>: ${escapeHtml(
    bodyText(c.source.body),
  )}</li>${parts}</ol></section>`;
}

function partHtml(part: IntercomConversationPart, isNew: (seconds: number) => boolean): string {
  const who = escapeHtml(part.author.name ?? part.author.email);
  const kind =
    part.part_type === 'comment'
      ? ''
      : ` <span class="ic-kind">${escapeHtml(part.part_type.replaceAll('_', ' '))}</span>`;
  const body = part.body ? `: ${escapeHtml(bodyText(part.body))}` : '';
  return `<li class="ic-part ${part.part_type === 'note' ? 'note' : ''} ${isNew(part.created_at) ? 'new' : ''}"><b>${who}</b>${kind}${body}${newBadge(
    isNew(part.created_at),
  )}</li>`;
}

function newBadge(fresh: boolean): string {
  return fresh ? ' <span class="ic-new">new</span>' : '';
}

/** Intercom bodies are HTML; shown here as their text (then escaped again for the page). */
function bodyText(html: string): string {
  return intercomHtmlToText(html).trim();
}
