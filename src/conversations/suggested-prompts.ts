/** What Slack pins at the top of the bot's Messages tab, fitting whether the teammate has connected Intercom. */
export function suggestedPrompts(connected: boolean): Array<{ title: string; message: string }> {
  if (!connected) {
    return [
      { title: 'Connect my Intercom', message: 'Connect my Intercom account' },
      { title: 'What can you do?', message: 'What can you do for me in Intercom?' },
    ];
  }
  return [
    { title: 'Summarize my latest open conversation', message: 'Summarize my latest open conversation in Intercom' },
    { title: 'Find a contact by email', message: 'Find the contact jane@example.com and tell me about her' },
    { title: 'Draft a reply', message: 'Draft a reply to john@acme.com thanking him for his patience' },
    { title: 'Tell me when a customer answers', message: 'Let me know when jane@example.com replies' },
  ];
}
