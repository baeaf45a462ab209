import {
  adminAuthor,
  contactAuthor,
  HOUR,
  type IntercomAdmin,
  type IntercomContact,
  type IntercomConversation,
  type IntercomConversationPart,
  type IntercomNote,
  type IntercomTag,
  makeAdmin,
  makePart,
  refreshWaitingSince,
  type WorkspaceRecords,
} from './records.ts';
import { seedSampleWorkspace } from './sample-data.ts';

export interface IntercomSnapshot extends WorkspaceRecords {
  bindings: Array<[string, string]>;
  nextId: number;
}

/**
 * One fake Intercom workspace shared by every connected account of an emulator. Tests may read and modify the
 * arrays directly; handlers always look records up by id, so edits are picked up by the next tool call.
 */
export class IntercomWorkspace implements WorkspaceRecords {
  readonly admins: IntercomAdmin[] = [];
  readonly contacts: IntercomContact[] = [];
  readonly conversations: IntercomConversation[] = [];
  readonly notes: IntercomNote[] = [];
  readonly tags: IntercomTag[] = [];
  readonly #adminIdByIdentifier = new Map<string, string>();
  /** Conversation id → admins whose Intercom permissions do not let them see it. */
  readonly #hiddenFrom = new Map<string, Set<string>>();
  readonly #listeners = new Set<() => void>();
  readonly #now: () => number;
  #nextId = 900_001;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
    seedSampleWorkspace(this);
  }

  /** Unix seconds, as Intercom timestamps are. */
  nowSeconds(): number {
    return Math.floor(this.#now() / 1000);
  }

  newId(): string {
    this.#nextId += 1;
    return String(this.#nextId);
  }

  /**
   * The admin whose OAuth token the identifier's connected account holds. Created on first use so that every
   * teammate acts as a distinct admin, which lets tests tell users apart by `author.id`.
   */
  adminFor(identifier: string): IntercomAdmin {
    const boundId = this.#adminIdByIdentifier.get(identifier);
    const bound = boundId === undefined ? undefined : this.findAdmin(boundId);
    if (bound) return bound;
    const local =
      identifier
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '.')
        .replace(/^\.|\.$/g, '') || 'teammate';
    const admin = makeAdmin(this.newId(), `Teammate ${identifier}`, `${local}@support.example`);
    this.admins.push(admin);
    this.#adminIdByIdentifier.set(identifier, admin.id);
    return admin;
  }

  /** Makes `identifier` authenticate as an existing admin (e.g. a seeded one). */
  bindAdmin(identifier: string, adminId: string): void {
    if (!this.findAdmin(adminId)) throw new Error(`unknown Intercom admin ${adminId}`);
    this.#adminIdByIdentifier.set(identifier, adminId);
  }

  /** The admin `identifier` authenticates as, if it has been bound or used already. */
  boundAdminId(identifier: string): string | undefined {
    return this.#adminIdByIdentifier.get(identifier);
  }

  /** Intercom's teammate permissions: this admin's token no longer finds the conversation (as if it did not exist). */
  hideFrom(conversationId: string, adminId: string): void {
    this.#hiddenFrom.set(conversationId, (this.#hiddenFrom.get(conversationId) ?? new Set()).add(adminId));
  }

  canSee(adminId: string, conversationId: string): boolean {
    return !this.#hiddenFrom.get(conversationId)?.has(adminId);
  }

  findAdmin(id: string): IntercomAdmin | undefined {
    return this.admins.find((admin) => admin.id === id);
  }

  findContact(id: string): IntercomContact | undefined {
    return this.contacts.find((contact) => contact.id === id);
  }

  findConversation(id: string): IntercomConversation | undefined {
    return this.conversations.find((conversation) => conversation.id === id);
  }

  findTag(id: string): IntercomTag | undefined {
    return this.tags.find((tag) => tag.id === id);
  }

  /** The conversation's customer writes in it (a closed or snoozed conversation reopens, as in Intercom). */
  customerReplies(conversationId: string, body: string): IntercomConversationPart {
    const conversation = this.findConversation(conversationId);
    const contactRef = conversation?.contacts.contacts[0];
    const contact = contactRef && this.findContact(contactRef.id);
    if (!conversation || !contact) throw new Error(`no conversation ${conversationId} with a contact`);
    const html = body.trimStart().startsWith('<') ? body : `<p>${body}</p>`;
    const part = makePart(this.newId(), 'comment', contactAuthor(contact), html, this.nowSeconds());
    this.#append(conversation, part);
    Object.assign(conversation, { state: 'open', open: true, snoozed_until: null });
    this.changed();
    return part;
  }

  /** A teammate (or a bot) answers the customer from Intercom's own inbox. */
  teamReplies(conversationId: string, body: string, by: { adminId?: string; bot?: boolean } = {}): void {
    const conversation = this.findConversation(conversationId);
    if (!conversation) throw new Error(`no conversation ${conversationId}`);
    const admin = this.findAdmin(by.adminId ?? '991001') ?? this.admins[0];
    if (!admin) throw new Error('no admin to reply');
    const author = by.bot ? { ...adminAuthor(admin), type: 'bot' as const, name: 'Fin' } : adminAuthor(admin);
    this.#append(conversation, makePart(this.newId(), 'comment', author, `<p>${body}</p>`, this.nowSeconds()));
    this.changed();
  }

  /** A teammate closes, snoozes, reopens or reassigns the conversation in Intercom's own inbox. */
  changeConversation(
    conversationId: string,
    change: { state?: IntercomConversation['state']; assigneeId?: string | null; by?: string },
  ): void {
    const conversation = this.findConversation(conversationId);
    if (!conversation) throw new Error(`no conversation ${conversationId}`);
    const admin = this.findAdmin(change.by ?? '991001') ?? this.admins[0];
    if (!admin) throw new Error('no admin to act');
    const act = (partType: string) =>
      this.#append(conversation, makePart(this.newId(), partType, adminAuthor(admin), null, this.nowSeconds()));
    if (change.state !== undefined) {
      act(change.state === 'snoozed' ? 'snoozed' : change.state === 'closed' ? 'close' : 'open');
      Object.assign(conversation, {
        state: change.state,
        open: change.state !== 'closed',
        snoozed_until: change.state === 'snoozed' ? this.nowSeconds() + 24 * HOUR : null,
      });
    }
    if (change.assigneeId !== undefined) {
      act('assignment');
      conversation.admin_assignee_id = change.assigneeId;
    }
    this.changed();
  }

  #append(conversation: IntercomConversation, part: IntercomConversationPart): void {
    conversation.conversation_parts.conversation_parts.push(part);
    conversation.conversation_parts.total_count = conversation.conversation_parts.conversation_parts.length;
    conversation.updated_at = part.created_at;
    refreshWaitingSince(conversation);
  }

  /** Everything in the workspace, for `restore` in a later run (the demo keeps it on disk). */
  snapshot(): IntercomSnapshot {
    const { admins, contacts, conversations, notes, tags } = this;
    return structuredClone({
      admins,
      contacts,
      conversations,
      notes,
      tags,
      bindings: [...this.#adminIdByIdentifier],
      nextId: this.#nextId,
    });
  }

  restore(snapshot: IntercomSnapshot): void {
    for (const key of ['admins', 'contacts', 'conversations', 'notes', 'tags'] as const) {
      const list = this[key] as unknown[];
      list.splice(0, list.length, ...structuredClone(snapshot[key]));
    }
    this.#adminIdByIdentifier.clear();
    for (const [identifier, adminId] of snapshot.bindings) this.#adminIdByIdentifier.set(identifier, adminId);
    this.#nextId = Math.max(this.#nextId, snapshot.nextId);
    this.changed();
  }

  /** Handlers call this after changing something, so a live view of the workspace can refresh. */
  changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
