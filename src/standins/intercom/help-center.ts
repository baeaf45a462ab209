/** The stand-in workspace's help center, macros and ticket types: fixed sample data, read-only. */

export const SAMPLE_ARTICLES = [
  {
    id: '7001',
    title: 'How refunds work',
    description: 'When we refund, how long it takes, and how to ask for one.',
    body: '<p>Refunds go back to the original card within 5–10 business days. Ask within 30 days of the charge.</p>',
    url: 'https://help.example.com/articles/7001-how-refunds-work',
  },
  {
    id: '7002',
    title: 'Resetting your password',
    description: 'What to do when the login page says your password is wrong.',
    body: '<p>Use “Forgot password” on the login page, then clear your cookies and sign in again.</p>',
    url: 'https://help.example.com/articles/7002-resetting-your-password',
  },
  {
    id: '7003',
    title: 'Understanding your invoice',
    description: 'Pre-authorisations, proration and double charges explained.',
    body: '<p>A second charge is usually a pre-authorisation and is released within a few days.</p>',
    url: 'https://help.example.com/articles/7003-understanding-your-invoice',
  },
] as const;

export const SAMPLE_MACROS = [
  {
    id: '8001',
    name: 'Refund on its way',
    body: '<p>Your refund is on its way and should reach your card within 5–10 business days.</p>',
  },
  { id: '8002', name: 'Clear cookies', body: '<p>Could you clear your cookies and try signing in again?</p>' },
] as const;

export const SAMPLE_TICKET_TYPES = [
  { id: '9001', name: 'Bug report' },
  { id: '9002', name: 'Billing question' },
] as const;
