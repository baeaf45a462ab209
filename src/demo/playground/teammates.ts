/** The people in the playground's Slack workspace; each is also an admin in the sample Intercom workspace. */
export interface Teammate {
  id: string;
  name: string;
  fullName: string;
  email: string;
  /** Their admin in the sample Intercom workspace (src/standins/intercom/sample-data.ts). */
  intercomAdminId: string;
}

export const TEAMMATES: readonly Teammate[] = [
  {
    id: 'UALICE',
    name: 'Alice',
    fullName: 'Alice Moreau',
    email: 'alice@acme-support.example',
    intercomAdminId: '991001',
  },
  { id: 'UBOB', name: 'Bob', fullName: 'Bob Chen', email: 'bob@acme-support.example', intercomAdminId: '991002' },
  {
    id: 'UCAROL',
    name: 'Carol',
    fullName: 'Carol Nguyen',
    email: 'carol@acme-support.example',
    intercomAdminId: '991003',
  },
];

export const SUPPORT_CHANNEL = { id: 'CSUPPORT', name: 'support' } as const;
export const BOT_NAME = 'Intercom Agent';

export function teammate(id: string): Teammate | undefined {
  return TEAMMATES.find((t) => t.id === id);
}

/** The DM between a person and the bot, as the Slack stand-in names it (conversations.open). */
export function dmChannel(userId: string): string {
  return `D${userId}`;
}
