import { describe, expect, it } from 'vitest';
import { parseAdmin, parseAdmins, parseContact, parseContacts, parseConversation } from '../../src/intercom/models.ts';
import { retrieved } from './retrieved-conversation.ts';

describe('parseConversation', () => {
  it('reads id, state, assignee, part count, customer and title', () => {
    expect(parseConversation(retrieved())).toMatchObject({
      id: '215',
      state: 'open',
      assignee: '991',
      partsTotal: 2,
      parts: [{ id: 'p1' }, { id: 'p2' }],
      customer: { name: 'Jane Doe', email: 'jane@example.com' },
      title: 'Refund for order 1042',
    });
  });

  it('is undefined for anything without an id', () => {
    expect(parseConversation(undefined)).toBeUndefined();
    expect(parseConversation(null)).toBeUndefined();
    expect(parseConversation('215')).toBeUndefined();
    expect(parseConversation({})).toBeUndefined();
    expect(parseConversation({ id: null })).toBeUndefined();
  });

  it('turns numeric ids into strings', () => {
    const parsed = parseConversation(retrieved({ id: 215, admin_assignee_id: 991 }));
    expect(parsed?.id).toBe('215');
    expect(parsed?.assignee).toBe('991');
  });

  it('treats a missing or null assignee as unassigned', () => {
    expect(parseConversation(retrieved({ admin_assignee_id: null }))?.assignee).toBeNull();
    const { admin_assignee_id: _, ...withoutAssignee } = retrieved();
    expect(parseConversation(withoutAssignee)?.assignee).toBeNull();
  });

  it('falls back to the open flag, then to open, when state is missing or blank', () => {
    expect(parseConversation(retrieved({ state: undefined, open: false }))?.state).toBe('closed');
    expect(parseConversation(retrieved({ state: '  ', open: true }))?.state).toBe('open');
    expect(parseConversation({ id: '1' })?.state).toBe('open');
    expect(parseConversation(retrieved({ state: 'snoozed' }))?.state).toBe('snoozed');
  });

  it('counts parts from total_count, else from the list, else zero', () => {
    expect(
      parseConversation(retrieved({ conversation_parts: { total_count: 7, conversation_parts: [] } }))?.partsTotal,
    ).toBe(7);
    expect(parseConversation(retrieved({ conversation_parts: { conversation_parts: [{}, {}, {}] } }))?.partsTotal).toBe(
      3,
    );
    expect(parseConversation(retrieved({ conversation_parts: { total_count: '7' } }))?.partsTotal).toBe(0);
    expect(parseConversation(retrieved({ conversation_parts: undefined }))?.partsTotal).toBe(0);
  });

  it('has no customer when the conversation was started by a teammate or a bot', () => {
    for (const type of ['admin', 'bot']) {
      const data = retrieved({ source: { author: { type, name: 'Sam Support', email: 'sam@acme.test' } } });
      expect(parseConversation(data)?.customer).toBeUndefined();
    }
    expect(parseConversation(retrieved({ source: {} }))?.customer).toBeUndefined();
  });

  it('keeps only string name and email of a customer, and ignores blank ones', () => {
    const data = retrieved({ source: { author: { type: 'lead', name: 42, email: '   ' } } });
    expect(parseConversation(data)?.customer).toEqual({ name: undefined, email: undefined });
  });

  it('uses the subject when there is no title', () => {
    expect(parseConversation(retrieved({ title: null }))?.title).toBe('Order 1042');
    expect(parseConversation(retrieved({ title: '', source: { subject: '' } }))?.title).toBeUndefined();
  });
});

describe('parseAdmin, parseContact and their lists', () => {
  it('reads an admin, named by its id when Intercom sends no name', () => {
    expect(parseAdmin({ type: 'admin', id: 991, name: 'Sam', email: 'sam@acme.test' })).toEqual({
      id: '991',
      name: 'Sam',
      email: 'sam@acme.test',
    });
    expect(parseAdmin({ id: '7', name: '  ' })).toEqual({ id: '7', name: '7', email: undefined });
    expect(parseAdmin({ name: 'nobody' })).toBeUndefined();
    expect(parseAdmin(null)).toBeUndefined();
  });

  it('reads the lists Intercom wraps, skipping what is not a record', () => {
    expect(parseAdmins({ admins: [{ id: 1, name: 'A' }, 'junk', { name: 'no id' }] })).toEqual([
      { id: '1', name: 'A', email: undefined },
    ]);
    expect(parseAdmins([{ id: 2, name: 'B' }]).map((a) => a.id)).toEqual(['2']);
    expect(parseAdmins({ admins: 'nope' })).toEqual([]);
    expect(parseContacts({ data: [{ id: 'c1', email: 'jane@x.com', role: 'user' }] })).toEqual([
      { id: 'c1', name: undefined, email: 'jane@x.com', role: 'user' },
    ]);
    expect(parseContacts(undefined)).toEqual([]);
    expect(parseContact({ id: 5 })?.id).toBe('5');
  });
});
