/** What a request to the scripted model asks for, read with a few patterns (documented in README). */
export type Intent =
  | { kind: 'lookup'; email: string }
  | { kind: 'summarize'; email?: string; conversationId?: string }
  | { kind: 'reply'; email?: string; conversationId?: string; body?: string }
  | { kind: 'note'; email: string; body?: string }
  | { kind: 'tag'; email?: string; conversationId?: string; tag: string }
  | { kind: 'act'; email?: string; conversationId?: string; acts: ConversationAct[] }
  | { kind: 'ticket'; email?: string; conversationId?: string; ticketType?: string }
  | { kind: 'articles'; phrase: string }
  | { kind: 'help' };

/** What "assign it to me and snooze it till Monday" asks, one action after another. */
export type ConversationAct =
  | { kind: 'assign_me' }
  | { kind: 'close' }
  | { kind: 'open' }
  | { kind: 'snooze'; until: 'hour' | 'tomorrow' | 'monday' }
  | { kind: 'priority' };

const EMAIL = /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/;
const CONVERSATION = /\b(?:conversation|convo|#)\s*#?\s*(\d{6,})\b/i;
/** "assign 215470001 to me": an id on its own, for the one-word actions. */
const BARE_ID = /\b(?:assign|close|reopen|snooze|tag)\s+#?(\d{6,})\b/i;

/**
 * `earlier`: the thread's earlier messages, newest first: "it" and "this" name the conversation (or customer) the
 * latest of them named.
 */
export function readIntent(text: string, earlier: readonly string[] = []): Intent {
  const articles = /\b(?:article|articles|help ?cent(?:er|re))\b.*?\b(?:on|about|for)\s+(.+?)[.?!]*$/i.exec(text)?.[1];
  if (articles) return { kind: 'articles', phrase: articles.trim() };
  const bare = BARE_ID.exec(text)?.[1];
  const context = /\b(?:it|this|that)\b/i.test(text) ? earlier : [];
  const named = bare ? text : ([text, ...context].find((t) => EMAIL.test(t) || CONVERSATION.test(t)) ?? text);
  const email = EMAIL.exec(named)?.[0];
  const conversationId = bare ?? CONVERSATION.exec(named)?.[1];
  const target = { ...(email && { email }), ...(conversationId && { conversationId }) };
  const found = email ?? conversationId;
  if (/\bnotes?\b/i.test(text) && email) return { kind: 'note', email, ...bodyAfter(text, email) };
  const tag =
    /\btag\b.*?\b(?:as|with)\s+["'“]?([\w-]+)/i.exec(text)?.[1] ??
    /\btag\s+(?:it|this|that)\s+["'“]?([\w-]+)/i.exec(text)?.[1];
  if (tag && found) return { kind: 'tag', ...target, tag };
  if (/\b(?:turn|convert|make)\b.*\bticket\b/i.test(text) && found) {
    const ticketType = /\b(bug|billing)\b/i.exec(text)?.[1]?.toLowerCase();
    return { kind: 'ticket', ...target, ...(ticketType && { ticketType }) };
  }
  const acts = actsIn(text);
  if (acts.length > 0 && found) return { kind: 'act', ...target, acts };
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

/** Assign to me, snooze, close, reopen, priority: in the order the request says them. */
function actsIn(text: string): ConversationAct[] {
  const found: Array<{ at: number; act: ConversationAct }> = [];
  const at = (pattern: RegExp) => text.search(pattern);
  const add = (pattern: RegExp, act: ConversationAct) => {
    const index = at(pattern);
    if (index >= 0) found.push({ at: index, act });
  };
  add(/\bassign\b.*\bme\b/i, { kind: 'assign_me' });
  add(/\breopen\b/i, { kind: 'open' });
  add(/\bclose\b/i, { kind: 'close' });
  add(/\b(?:priority|urgent)\b/i, { kind: 'priority' });
  if (at(/\bsnooze\b/i) >= 0) {
    const until = /\b(?:monday|next week)\b/i.test(text) ? 'monday' : /\bhour\b/i.test(text) ? 'hour' : 'tomorrow';
    add(/\bsnooze\b/i, { kind: 'snooze', until });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.act);
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
