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
    expect(title.length).toBeLessThanOrEqual('Searching contacts for '.length + 60);
    expect(title).not.toContain('\n');
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
