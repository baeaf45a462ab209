import {
  type IntercomAdmin,
  type IntercomContact,
  type IntercomConversation,
  type IntercomNote,
  type IntercomTag,
  makeAdmin,
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
