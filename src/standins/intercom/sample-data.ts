import { readFileSync } from 'node:fs';
import {
  adminAuthor,
  contactAuthor,
  HOUR,
  type IntercomAdmin,
  type IntercomContact,
  type IntercomTag,
  makeAdmin,
  makeContact,
  makeConversation,
  SEED_EPOCH,
  type WorkspaceRecords,
} from './records.ts';

interface SampleConversation {
  id: string;
  contact: 'john' | 'jane' | 'carlos' | 'lead' | 'priya';
  subject: string;
  body: string;
  hoursAgo: number;
  state: 'open' | 'closed' | 'snoozed';
  assignee: 'alice' | 'bob' | 'carol' | null;
  tags: Array<'billing' | 'bug' | 'vip' | 'urgent'>;
  /** [part type, who wrote it (an admin's or a contact's key), body]. */
  parts: Array<[string, string, string | null]>;
}

const SAMPLE_CONVERSATIONS = JSON.parse(
  readFileSync(new URL('./sample-conversations.json', import.meta.url), 'utf8'),
) as SampleConversation[];

/**
 * A small, believable support workspace: three teammates (admins), a handful of customers, conversations with
 * several parts, tags and notes. Ids are fixed, and tests rely on them (john@acme.com is contact …0001, Bob is
 * admin 991002, conversation 215470001 is John's login problem).
 */
export function seedSampleWorkspace(workspace: WorkspaceRecords): void {
  const alice = makeAdmin('991001', 'Alice Moreau', 'alice@acme-support.example');
  const bob = makeAdmin('991002', 'Bob Chen', 'bob@acme-support.example');
  const carol = makeAdmin('991003', 'Carol Nguyen', 'carol@acme-support.example');
  workspace.admins.push(alice, bob, carol);

  const tag = (id: string, name: string): IntercomTag => ({ type: 'tag', id, name });
  const billing = tag('81001', 'billing');
  const bug = tag('81002', 'bug');
  const vip = tag('81003', 'vip');
  const urgent = tag('81004', 'urgent');
  workspace.tags.push(billing, bug, vip, urgent);

  const john = makeContact('6650a1b2c3d4e5f600000001', 'john@acme.com', 'John Smith', 'user', 'acme-42');
  const jane = makeContact('6650a1b2c3d4e5f600000002', 'jane@x.com', 'Jane Doe', 'user', null);
  const carlos = makeContact('6650a1b2c3d4e5f600000003', 'carlos@globex.example', 'Carlos Díaz', 'user', 'globex-7');
  const lead = makeContact('6650a1b2c3d4e5f600000004', 'lead@prospect.example', null, 'lead', null);
  const priya = makeContact('6650a1b2c3d4e5f600000005', 'priya@initech.example', 'Priya Raman', 'user', 'initech-3');
  workspace.contacts.push(john, jane, carlos, lead, priya);

  // The conversations are data (sample-conversations.json): who wrote each part is named by the admin's or the
  // contact's key above.
  const admins = { alice, bob, carol };
  const contacts = { john, jane, carlos, lead, priya };
  const tags = { billing, bug, vip, urgent };
  for (const seed of SAMPLE_CONVERSATIONS) {
    workspace.conversations.push(
      makeConversation({
        id: seed.id,
        contact: contacts[seed.contact],
        subject: seed.subject,
        body: seed.body,
        createdAt: SEED_EPOCH - seed.hoursAgo * HOUR,
        state: seed.state,
        assignee: seed.assignee ? admins[seed.assignee] : null,
        tags: seed.tags.map((name) => tags[name]),
        parts: seed.parts.map(([type, by, body]) => [
          type,
          by in admins
            ? adminAuthor(admins[by as keyof typeof admins])
            : contactAuthor(contacts[by as keyof typeof contacts]),
          body,
        ]),
      }),
    );
  }

  const note = (id: string, daysAgo: number, about: IntercomContact, author: IntercomAdmin, body: string) => ({
    type: 'note' as const,
    id,
    created_at: SEED_EPOCH - daysAgo * 24 * HOUR,
    contact: { type: 'contact' as const, id: about.id },
    author,
    body,
  });
  workspace.notes.push(
    note('61001', 20, john, alice, '<p>Enterprise customer, renewal due in Q2.</p>'),
    note('61002', 3, priya, carol, '<p>Champion for the Initech rollout; prefers email over calls.</p>'),
  );
}
