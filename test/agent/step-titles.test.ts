import { describe, expect, it } from 'vitest';
import { describeProposal, describeStep } from '../../src/agent/step-titles.ts';

describe('describeStep', () => {
  it('names the step the way a person would', () => {
    expect(describeStep('intercom_search_contacts', { email: 'john@acme.com' }, 'Search contacts')).toBe(
      'Searching contacts for john@acme.com',
    );
    expect(describeStep('intercom_retrieve_conversation', { conversation_id: '123' }, 'x')).toBe(
      'Reading conversation 123',
    );
    expect(describeStep('intercom_search_conversations', { query: { field: 'x', value: 'refund' } }, 'x')).toBe(
      'Searching conversations for refund',
    );
    expect(describeStep('intercom_list_conversations', {}, 'x')).toBe('Listing recent conversations');
  });

  it('falls back to a verb from the tool name, then to the tool title', () => {
    expect(describeStep('intercom_list_tags', {}, 'List tags')).toBe('Listing tags');
    expect(describeStep('intercom_frobnicate_thing', {}, 'Frobnicate thing')).toBe('Frobnicate thing');
  });

  it('clips long or multi-line subjects from the model', () => {
    const title = describeStep('intercom_search_contacts', { query: `a\n${'b'.repeat(200)}` }, 'x');
    expect(title.length).toBeLessThanOrEqual('Searching contacts for '.length + 100);
    expect(title).not.toContain('\n');
  });
});

describe('names instead of ids', () => {
  const names = new Map([
    ['6650a1b2', 'John Smith <john@acme.com>'],
    ['215', "“Can't log in” (#215)"],
  ]);

  it('shows what Intercom named in the run where the arguments hold an id', () => {
    expect(describeStep('intercom_retrieve_contact', { contact_id: '6650a1b2' }, 'x', names)).toBe(
      'Reading contact John Smith <john@acme.com>',
    );
    expect(
      describeStep(
        'intercom_search_conversations',
        { query: { field: 'contact_ids', operator: '=', value: '6650a1b2' } },
        'x',
        names,
      ),
    ).toBe('Searching conversations for John Smith <john@acme.com>');
    expect(describeProposal('intercom_reply_to_conversation', { conversation_id: '215' }, 'x', names)).toBe(
      "Reply on “Can't log in” (#215): waiting for your approval",
    );
    expect(describeProposal('intercom_create_contact_note', { contact_id: '6650a1b2' }, 'x', names)).toBe(
      'Note for John Smith <john@acme.com>: waiting for your approval',
    );
  });
});

describe('describeProposal', () => {
  it('says the write waits for approval', () => {
    expect(describeProposal('intercom_reply_to_conversation', { conversation_id: 42 }, 'Reply')).toBe(
      'Reply on conversation 42: waiting for your approval',
    );
    expect(describeProposal('intercom_update_ticket', {}, 'Update ticket')).toBe(
      'Update ticket: waiting for your approval',
    );
  });
});
