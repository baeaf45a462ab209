import { describe, expect, it } from 'vitest';
import { intercomHandlers } from '../../src/standins/intercom/handlers/handlers.ts';
import { intercomTools } from '../../src/standins/intercom/tools/catalogue.ts';
import { IntercomWorkspace } from '../../src/standins/intercom/workspace.ts';

const context = (workspace: IntercomWorkspace) => ({
  workspace,
  identifier: 'u_alice',
  connector: 'intercom',
  connectedAccountId: 'ca_1',
});

describe('the sample Intercom workspace', () => {
  it('has the teammates, customers and conversations the demo and the tests name', () => {
    const workspace = new IntercomWorkspace();
    expect(workspace.admins.map((a) => a.name)).toEqual(['Alice Moreau', 'Bob Chen', 'Carol Nguyen']);
    expect(workspace.contacts.map((c) => c.email)).toContain('john@acme.com');
    expect(workspace.findConversation('215470001')?.conversation_parts.total_count).toBe(2);
    expect(workspace.notes.length).toBeGreaterThan(0);
    expect(intercomTools).toHaveLength(113);
  });

  it('tells listeners when a tool changed it, and only then', () => {
    const workspace = new IntercomWorkspace();
    let changes = 0;
    const stop = workspace.onChange(() => changes++);
    const call = (tool: string, params: Record<string, unknown>) =>
      intercomHandlers[tool]?.(params, context(workspace));

    call('intercom_retrieve_conversation', { conversation_id: '215470001' });
    call('intercom_search_contacts', { query: { field: 'email', operator: '=', value: 'john@acme.com' } });
    expect(changes).toBe(0);

    call('intercom_reply_to_conversation', {
      conversation_id: '215470001',
      admin_id: '991001',
      message_type: 'comment',
      type: 'admin',
      body: 'Fixed now.',
    });
    call('intercom_create_contact_note', { contact_id: '6650a1b2c3d4e5f600000001', body: 'Called him.' });
    call('intercom_attach_tag_to_conversation', { conversation_id: '215470001', admin_id: '991001', id: '81003' });
    expect(changes).toBe(3);

    stop();
    call('intercom_detach_tag_from_conversation', {
      conversation_id: '215470001',
      admin_id: '991001',
      tag_id: '81003',
    });
    expect(changes).toBe(3);
  });
});
