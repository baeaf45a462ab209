/** What a request to the scripted model asks for, read with a few patterns (documented in README). */
export type Intent =
  | { kind: 'lookup'; email: string }
  | { kind: 'summarize'; email?: string; conversationId?: string }
  | { kind: 'reply'; email?: string; conversationId?: string; body?: string }
  | { kind: 'note'; email: string; body?: string }
  | { kind: 'tag'; email?: string; conversationId?: string; tag: string }
  | { kind: 'help' };

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const CONVERSATION = /\b(?:conversation|convo|#)\s*#?\s*(\d{6,})\b/i;

export function readIntent(text: string): Intent {
  const email = EMAIL.exec(text)?.[0];
  const conversationId = CONVERSATION.exec(text)?.[1];
  const target = { ...(email && { email }), ...(conversationId && { conversationId }) };
  const found = email ?? conversationId;
  if (/\bnotes?\b/i.test(text) && email) return { kind: 'note', email, ...bodyAfter(text, email) };
  const tag = /\btag\b.*?\b(?:as|with)\s+["'“]?([\w-]+)/i.exec(text)?.[1];
  if (tag && found) return { kind: 'tag', ...target, tag };
  if (/\b(reply|respond|answer|write back|draft)\b/i.test(text) && found) {
    return { kind: 'reply', ...target, ...bodyAfter(text, email ?? conversationId ?? '') };
  }
  if (/\b(summari[sz]e|summary|recap|what happened|catch me up)\b/i.test(text) && found) {
    return { kind: 'summarize', ...target };
  }
  if (email) return { kind: 'lookup', email };
  if (conversationId) return { kind: 'summarize', conversationId };
  return { kind: 'help' };
}

/** The words to send, written after the customer: `…john@acme.com: We fixed it` or `… saying we fixed it`. */
function bodyAfter(text: string, anchor: string): { body?: string } {
  const rest = text.slice(text.indexOf(anchor) + anchor.length);
  const body = rest
    .replace(/^(?:['’]s)?\s*(?:conversation\b)?/i, '')
    .replace(/^\s*(?::|-|—|saying|that says|that|with the text|with|to say)\s*/i, '')
    .trim()
    .replace(/^["'“”]+|["'“”]+$/g, '')
    .trim();
  return body.length >= 3 ? { body } : {};
}
