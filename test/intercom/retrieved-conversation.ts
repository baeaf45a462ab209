/** Trimmed from what intercom_retrieve_conversation returns. */
export function retrieved(overrides: Record<string, unknown> = {}) {
  return {
    type: 'conversation',
    id: '215',
    title: 'Refund for order 1042',
    open: true,
    state: 'open',
    admin_assignee_id: '991',
    source: {
      type: 'conversation',
      subject: 'Order 1042',
      body: 'Where is my refund?',
      author: { type: 'user', id: 'c1', name: 'Jane Doe', email: 'jane@example.com' },
    },
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: [{ id: 'p1' }, { id: 'p2' }],
      total_count: 2,
    },
    ...overrides,
  };
}
