import { describe, expect, it } from 'vitest';
import { collision, describeAction, isReplyTool, snapshotOf } from '../../src/approvals/describe.ts';
import { type Conversation, parseConversation } from '../../src/intercom/models.ts';
import { retrieved } from '../intercom/retrieved-conversation.ts';

const jane = parseConversation(retrieved()) as Conversation;
const admin = { id: '991', name: 'Sam Support', email: 'sam@acme.test' };

describe('isReplyTool', () => {
  it('knows the two reply tools and nothing else', () => {
    expect(isReplyTool('intercom_reply_to_conversation')).toBe(true);
    expect(isReplyTool('intercom_reply_to_ticket')).toBe(true);
    expect(isReplyTool('intercom_create_contact_note')).toBe(false);
    expect(isReplyTool('intercom_manage_conversation')).toBe(false);
    expect(isReplyTool('INTERCOM_REPLY_TO_CONVERSATION')).toBe(false);
    expect(isReplyTool('')).toBe(false);
  });
});

describe('snapshotOf and collision', () => {
  const before = snapshotOf(jane);

  it('keeps just what the guard compares', () => {
    expect(before).toEqual({ parts: 2, state: 'open', assignee: '991' });
  });

  it('finds nothing when nothing changed', () => {
    expect(collision(before, snapshotOf({ ...jane, title: 'Renamed' }))).toBeUndefined();
  });

  it('notices that the customer (or anyone) wrote again', () => {
    expect(collision(before, { ...before, parts: 3 })).toBe('a new message arrived in the conversation');
  });

  it('notices a change of state, naming the new one', () => {
    expect(collision(before, { ...before, state: 'closed' })).toBe('the conversation is now closed');
    expect(collision(before, { ...before, state: 'snoozed' })).toBe('the conversation is now snoozed');
  });

  it('notices reassignment, including to and from nobody', () => {
    expect(collision(before, { ...before, assignee: '992' })).toBe('the conversation was reassigned');
    expect(collision(before, { ...before, assignee: null })).toBe('the conversation was reassigned');
    expect(collision({ ...before, assignee: null }, before)).toBe('the conversation was reassigned');
  });

  it('names the new message first when several things changed', () => {
    expect(collision(before, { parts: 3, state: 'closed', assignee: null })).toBe(
      'a new message arrived in the conversation',
    );
  });

  it('does not treat fewer parts (a deleted or redacted part) as a new message', () => {
    expect(collision(before, { ...before, parts: 1 })).toBeUndefined();
  });
});

describe('describeAction: replies', () => {
  const reply = (args: Record<string, unknown>, conversation: Conversation | undefined = jane) =>
    describeAction({ toolName: 'intercom_reply_to_conversation', title: 'Reply', args, admin, conversation });

  it('shows a reply as going to the customer, as the teammate, with the exact text', () => {
    expect(reply({ conversation_id: '215', message_type: 'comment', body: 'Your refund is on its way.' })).toEqual({
      summary: 'Reply to Jane Doe <jane@example.com>',
      facts: [
        ['To', 'Jane Doe <jane@example.com>'],
        ['Conversation', '#215 (open): Refund for order 1042'],
        ['As', 'Sam Support (sam@acme.test), your Intercom account'],
        ['Visible to', 'the customer'],
      ],
      text: 'Your refund is on its way.',
      customerVisible: true,
      textField: 'body',
    });
  });

  it('treats a reply without message_type as customer-visible', () => {
    expect(reply({ body: 'Hi' }).customerVisible).toBe(true);
  });

  it('shows a note as internal', () => {
    const preview = reply({ conversation_id: '215', message_type: 'note', body: 'VIP, be quick' });
    expect(preview.summary).toBe("Add an internal note on Jane Doe <jane@example.com>'s conversation");
    expect(preview.facts.at(-1)).toEqual(['Visible to', 'your team only']);
    expect(preview.customerVisible).toBe(false);
    expect(preview.text).toBe('VIP, be quick');
    expect(preview.textField).toBe('body');
  });

  it('applies to ticket replies too', () => {
    const preview = describeAction({
      toolName: 'intercom_reply_to_ticket',
      title: 'Reply to ticket',
      args: { message_type: 'note', body: 'x' },
    });
    expect(preview.summary).toBe('Add an internal note');
    expect(preview.customerVisible).toBe(false);
  });

  it('names whatever part of the customer it knows, or says "the customer"', () => {
    expect(reply({ body: 'Hi' }, { ...jane, customer: { email: 'jane@example.com' } }).summary).toBe(
      'Reply to <jane@example.com>',
    );
    expect(reply({ body: 'Hi' }, { ...jane, customer: { name: 'Jane Doe' } }).summary).toBe('Reply to Jane Doe');
    // An anonymous lead: Intercom knows neither a name nor an email.
    const anonymous = parseConversation(retrieved({ source: { author: { type: 'lead', id: 'l1' } } }));
    const nameless = reply({ body: 'Hi' }, anonymous);
    expect(nameless.summary).toBe('Reply to the customer');
    expect(nameless.facts.map(([label]) => label)).not.toContain('To');
  });

  it('falls back to the conversation id from the arguments when the conversation could not be read', () => {
    const preview = describeAction({
      toolName: 'intercom_reply_to_conversation',
      title: 'Reply',
      args: { conversation_id: 215, body: 'Hi' },
    });
    expect(preview.summary).toBe('Reply to the customer');
    expect(preview.facts).toEqual([
      ['Conversation', '#215'],
      ['Visible to', 'the customer'],
    ]);
  });

  it('leaves the text out when the body is not a string', () => {
    const preview = reply({ body: { html: '<p>Hi</p>' } });
    expect(preview.text).toBeUndefined();
    expect(preview.textField).toBe('body');
  });

  it('shows an admin without an email by name only', () => {
    const preview = describeAction({
      toolName: 'intercom_reply_to_conversation',
      title: 'Reply',
      args: { body: 'Hi' },
      admin: { id: '1', name: 'Sam Support' },
    });
    expect(preview.facts).toContainEqual(['As', 'Sam Support, your Intercom account']);
  });

  it('leaves the title out of the conversation fact when there is none', () => {
    const preview = reply({ body: 'Hi' }, { ...jane, title: undefined, state: 'snoozed' });
    expect(preview.facts).toContainEqual(['Conversation', '#215 (snoozed)']);
  });
});

describe('describeAction: contact notes', () => {
  it('shows a contact note as internal, naming the contact', () => {
    expect(
      describeAction({
        toolName: 'intercom_create_contact_note',
        title: 'Create note',
        args: { contact_id: 'c1', admin_id: '991', body: 'Prefers email' },
        admin,
      }),
    ).toEqual({
      summary: 'Add a note to the contact',
      facts: [
        ['As', 'Sam Support (sam@acme.test), your Intercom account'],
        ['Contact', 'c1'],
        ['Visible to', 'your team only'],
      ],
      text: 'Prefers email',
      customerVisible: false,
      textField: 'body',
    });
  });

  it('shows a missing contact id as a question mark', () => {
    const preview = describeAction({ toolName: 'intercom_create_contact_note', title: 'Create note', args: {} });
    expect(preview.facts).toContainEqual(['Contact', '?']);
  });
});

describe('describeAction: managing a conversation', () => {
  const manage = (args: Record<string, unknown>) =>
    describeAction({
      toolName: 'intercom_manage_conversation',
      title: 'Manage conversation',
      args,
      admin,
      conversation: jane,
    });

  it('describes assignment, naming the assignee', () => {
    const preview = manage({ conversation_id: '215', message_type: 'assignment', assignee_id: '992' });
    expect(preview).toEqual({
      summary: 'Assign the conversation to 992',
      facts: [
        ['To', 'Jane Doe <jane@example.com>'],
        ['Conversation', '#215 (open): Refund for order 1042'],
        ['As', 'Sam Support (sam@acme.test), your Intercom account'],
      ],
      customerVisible: false,
    });
  });

  it('shows an assignment message as text the approver can edit, seen by the team only (Intercom posts a note)', () => {
    const preview = manage({ message_type: 'assignment', assignee_id: 992, body: 'Over to you' });
    expect(preview.summary).toBe('Assign the conversation to 992');
    expect(preview.text).toBe('Over to you');
    expect(preview.textField).toBe('body');
    expect(preview.customerVisible).toBe(false);
    expect(preview.facts.at(-1)).toEqual(['Visible to', 'your team only']);
  });

  it('shows a closing message as seen by the customer, which is where Intercom posts it', () => {
    const preview = manage({ message_type: 'close', body: 'Glad we could help!' });
    expect(preview.summary).toBe('Close the conversation');
    expect(preview.text).toBe('Glad we could help!');
    expect(preview.textField).toBe('body');
    expect(preview.customerVisible).toBe(true);
    expect(preview.facts.at(-1)).toEqual(['Visible to', 'the customer']);
  });

  it('errs towards "the customer sees it" for a message with any other action', () => {
    expect(manage({ message_type: 'snoozed', body: 'Back Monday' }).customerVisible).toBe(true);
    expect(manage({ body: 'Hello?' }).customerVisible).toBe(true);
  });

  it('describes assignment to nobody (Intercom assignee 0) as unassigning', () => {
    expect(manage({ message_type: 'assignment', assignee_id: '0' }).summary).toBe('Unassign the conversation');
    expect(manage({ message_type: 'assignment', assignee_id: 0 }).summary).toBe('Unassign the conversation');
    expect(manage({ message_type: 'assignment' }).summary).toBe('Assign the conversation to ?');
  });

  it('describes close, reopen and snooze', () => {
    expect(manage({ message_type: 'close' }).summary).toBe('Close the conversation');
    expect(manage({ message_type: 'open' }).summary).toBe('Reopen the conversation');
    expect(manage({ message_type: 'snoozed' }).summary).toBe('Snooze the conversation (no time given)');
  });

  it("says a snooze's time as the requester's clock shows it", () => {
    // 2026-12-08T17:00:00Z
    const args = { conversation_id: '215', message_type: 'snoozed', snoozed_until: 1_796_749_200, admin_id: '991' };
    const inLosAngeles = describeAction({
      toolName: 'intercom_manage_conversation',
      title: 'Manage conversation',
      args,
      timeZone: 'America/Los_Angeles',
    });
    expect(inLosAngeles.summary).toBe('Snooze the conversation until Tue, 8 Dec 2026, 09:00 (America/Los_Angeles)');
    const inTokyo = describeAction({
      toolName: 'intercom_manage_conversation',
      title: 'Manage conversation',
      args,
      timeZone: 'Asia/Tokyo',
    });
    expect(inTokyo.facts).toContainEqual(['Until', 'Wed, 9 Dec 2026, 02:00 (Asia/Tokyo)']);
    expect(
      describeAction({ toolName: 'intercom_manage_conversation', title: 'Manage conversation', args }).summary,
    ).toBe('Snooze the conversation until Tue, 8 Dec 2026, 17:00 (UTC)');
  });

  it('falls back to the tool title for an unknown or missing message_type', () => {
    expect(manage({ message_type: 'explode' }).summary).toBe('Manage conversation');
    expect(manage({}).summary).toBe('Manage conversation');
    expect(manage({ message_type: 'toString' }).summary).toBe('Manage conversation');
    expect(manage({ message_type: '__proto__' }).summary).toBe('Manage conversation');
  });
});

describe('describeAction: other tools (tagging and the rest)', () => {
  it('says priority, read state and turning into a ticket in words', () => {
    const words = (toolName: string, args: Record<string, unknown>) =>
      describeAction({ toolName, title: 'Tool', args: { conversation_id: '215', ...args }, conversation: jane });
    expect(words('intercom_update_conversation', { priority: 'priority' }).summary).toBe(
      'Mark the conversation as priority',
    );
    expect(words('intercom_update_conversation', { priority: 'not_priority', read: true }).summary).toBe(
      "Remove the conversation's priority; Mark the conversation as read",
    );
    const ticket = words('intercom_convert_conversation_to_ticket', { ticket_type_id: '9001' });
    expect(ticket.summary).toBe('Turn the conversation into a 9001 ticket');
    expect(ticket.facts).toContainEqual(['To', 'Jane Doe <jane@example.com>']);
  });

  it('names the tag a tag action adds or removes', () => {
    const names = new Map([['t7', 'vip']]);
    const tagging = (toolName: string, args: Record<string, unknown>) =>
      describeAction({ toolName, title: 'Tag', args, admin, conversation: jane, names });
    expect(tagging('intercom_attach_tag_to_conversation', { conversation_id: '215', id: 't7' })).toEqual({
      summary: 'Tag the conversation “vip”',
      facts: [
        ['To', 'Jane Doe <jane@example.com>'],
        ['Conversation', '#215 (open): Refund for order 1042'],
        ['As', 'Sam Support (sam@acme.test), your Intercom account'],
        ['Tag', 'vip'],
      ],
      customerVisible: false,
    });
    expect(tagging('intercom_detach_tag_from_conversation', { conversation_id: '215', tag_id: 't7' }).summary).toBe(
      'Remove the tag “vip” from the conversation',
    );
    // A tag nobody could name keeps its id rather than vanish.
    expect(tagging('intercom_attach_tag_to_conversation', { id: 't8' }).facts).toContainEqual(['Tag', 't8']);
  });

  it('names the contact of a note and the assignee of an assignment when Intercom named them', () => {
    const names = new Map([
      ['c1', 'Priya Raman <priya@initech.example>'],
      ['992', 'Bob Martin <bob@acme.test>'],
    ]);
    const note = describeAction({
      toolName: 'intercom_create_contact_note',
      title: 'Note',
      args: { contact_id: 'c1', body: 'x' },
      names,
    });
    expect(note.summary).toBe('Add a note to Priya Raman <priya@initech.example>');
    expect(note.facts).toContainEqual(['Contact', 'Priya Raman <priya@initech.example>']);
    const assign = describeAction({
      toolName: 'intercom_manage_conversation',
      title: 'Manage',
      args: { message_type: 'assignment', assignee_id: 992 },
      names,
    });
    expect(assign.summary).toBe('Assign the conversation to Bob Martin <bob@acme.test>');
  });

  it('lists any other arguments as facts in words, without the admin id, never as JSON', () => {
    const preview = describeAction({
      toolName: 'intercom_update_ticket',
      title: 'Update ticket',
      args: { conversation_id: '215', id: 't7', admin_id: '991', extra: { a: [1, 2] }, count: 3, flag: null },
      admin,
      conversation: jane,
    });
    expect(preview).toEqual({
      summary: 'Update ticket',
      facts: [
        ['To', 'Jane Doe <jane@example.com>'],
        ['Conversation', '#215 (open): Refund for order 1042'],
        ['As', 'Sam Support (sam@acme.test), your Intercom account'],
        ['id', 't7'],
        ['extra › a', '1; 2'],
        ['count', '3'],
        ['flag', '(none)'],
      ],
      customerVisible: false,
    });
    expect(preview.text).toBeUndefined();
    expect(preview.textField).toBeUndefined();
  });

  it('has only the tool title when there are no arguments', () => {
    expect(describeAction({ toolName: 'intercom_x', title: 'Do X', args: {} })).toEqual({
      summary: 'Do X',
      facts: [],
      customerVisible: false,
    });
  });
});
