import {
  adminAuthor,
  contactAuthor,
  HOUR,
  type IntercomTag,
  makeAdmin,
  makeContact,
  makeConversation,
  SEED_EPOCH,
  type WorkspaceRecords,
} from './records.ts';

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

  workspace.conversations.push(
    makeConversation({
      id: '215470001',
      contact: john,
      subject: "Can't log in after resetting my password",
      body: '<p>Hi, I reset my password but the login page keeps saying it is wrong.</p>',
      createdAt: SEED_EPOCH - 48 * HOUR,
      state: 'open',
      assignee: null,
      tags: [bug],
      parts: [
        [
          'comment',
          adminAuthor(alice),
          '<p>Sorry about that! Could you try clearing your cookies and logging in again?</p>',
        ],
        ['comment', contactAuthor(john), '<p>Still broken, same error.</p>'],
      ],
    }),
    makeConversation({
      id: '215470002',
      contact: john,
      subject: 'Question about my March invoice',
      body: '<p>Why was I charged twice in March?</p>',
      createdAt: SEED_EPOCH - 30 * 24 * HOUR,
      state: 'closed',
      assignee: alice,
      tags: [billing],
      parts: [
        ['comment', adminAuthor(alice), '<p>The second charge was a pre-authorisation and has been released.</p>'],
        ['close', adminAuthor(alice), null],
      ],
    }),
    makeConversation({
      id: '215470003',
      contact: jane,
      subject: 'Feature request: dark mode',
      body: '<p>Any plans for a dark mode?</p>',
      createdAt: SEED_EPOCH - 10 * 24 * HOUR,
      state: 'snoozed',
      assignee: bob,
      parts: [['note', adminAuthor(bob), '<p>Logged as FR-118, snoozing until the roadmap review.</p>']],
    }),
    makeConversation({
      id: '215470004',
      contact: carlos,
      subject: 'Refund for duplicate charge',
      body: '<p>I was billed twice for the annual plan, please refund one of them.</p>',
      createdAt: SEED_EPOCH - 5 * HOUR,
      state: 'open',
      assignee: null,
      tags: [billing, urgent],
      parts: [],
    }),
    makeConversation({
      id: '215470005',
      contact: priya,
      subject: 'CSV export times out',
      body: '<p>Exporting last quarter to CSV spins for a minute and then fails.</p>',
      createdAt: SEED_EPOCH - 26 * HOUR,
      state: 'open',
      assignee: carol,
      tags: [bug, vip],
      parts: [
        ['comment', adminAuthor(carol), '<p>Thanks Priya! Does a shorter range, say one month, work?</p>'],
        ['comment', contactAuthor(priya), '<p>One month works. Three months fails every time.</p>'],
        ['note', adminAuthor(carol), '<p>Reproduced with 90 days of data; engineering ticket ENG-2231.</p>'],
      ],
    }),
  );

  workspace.notes.push(
    {
      type: 'note',
      id: '61001',
      created_at: SEED_EPOCH - 20 * 24 * HOUR,
      contact: { type: 'contact', id: john.id },
      author: alice,
      body: '<p>Enterprise customer, renewal due in Q2.</p>',
    },
    {
      type: 'note',
      id: '61002',
      created_at: SEED_EPOCH - 3 * 24 * HOUR,
      contact: { type: 'contact', id: priya.id },
      author: carol,
      body: '<p>Champion for the Initech rollout; prefers email over calls.</p>',
    },
  );
}
