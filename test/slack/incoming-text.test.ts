import { describe, expect, it } from 'vitest';
import {
  createNameDirectory,
  decodeEntities,
  fromSlackInput,
  fromSlackMessage,
} from '../../src/slack/incoming-text.ts';

const names: Record<string, string> = { U0ALICE: 'Alice Chen', U0BOB: 'Bob' };
const nameOf = async (id: string) => names[id];

describe('fromSlackMessage: what a teammate typed, as the model reads it', () => {
  it('decodes Slack entities exactly once', async () => {
    expect(await fromSlackMessage('Billing &amp; refunds &lt;3 a&gt;b')).toBe('Billing & refunds <3 a>b');
    // The person typed "&lt;" and "&amp;amp;" literally: Slack sent them escaped once more.
    expect(await fromSlackMessage('write &amp;lt; and &amp;amp;amp;')).toBe('write &lt; and &amp;amp;');
    expect(decodeEntities('&amp;gt;')).toBe('&gt;');
  });

  it('keeps line breaks, blank lines and indentation', async () => {
    const typed = 'Hi Jane,\n\nThanks for writing.\n  - first\n  - second\n\n\nBest,\nAlice';
    expect(await fromSlackMessage(typed)).toBe(typed);
  });

  it("takes the bot's own mention out, wherever it is, and nothing else", async () => {
    const bot = { botUserId: 'UBOT' };
    expect(await fromSlackMessage('<@UBOT> reply to jane', bot)).toBe('reply to jane');
    expect(await fromSlackMessage('please <@UBOT> reply', bot)).toBe('please reply');
    expect(await fromSlackMessage('<@UBOT>\nline one\n\nline two', bot)).toBe('line one\n\nline two');
    expect(await fromSlackMessage('thanks <@UBOT>\nmore', bot)).toBe('thanks\nmore');
  });

  it('names people and channels, and writes links as label (url)', async () => {
    const text =
      'ask <@U0ALICE> and <@U0CAROL|carol> in <#C1|billing> or <#C2>; see <https://acme.com/x?a=1&amp;b=2|the docs> or <https://acme.com>';
    expect(await fromSlackMessage(text, { nameOf })).toBe(
      'ask @Alice Chen and @carol in #billing or #C2; see the docs (https://acme.com/x?a=1&b=2) or https://acme.com',
    );
  });

  it('keeps what Slack auto-linked as the person typed it', async () => {
    expect(await fromSlackMessage('mail <mailto:jane@acme.com|jane@acme.com> at <http://acme.com|acme.com>')).toBe(
      'mail jane@acme.com at acme.com',
    );
  });

  it('writes broadcasts, user groups and dates in words', async () => {
    expect(await fromSlackMessage('<!here> <!channel> <!subteam^S1|@support> <!date^1700000000^{date}|Nov 14>')).toBe(
      '@here @channel @support Nov 14',
    );
  });

  it('shows the id when a name cannot be found', async () => {
    const failing = async () => {
      throw new Error('users.info failed');
    };
    expect(await fromSlackMessage('ask <@U0ZED>', { nameOf: failing })).toBe('ask @U0ZED');
  });
});

describe('fromSlackInput: a modal field', () => {
  it('is raw already: entities stay as typed, only line endings become \\n', () => {
    expect(fromSlackInput('a &amp; b\r\nc <@U1>\rd')).toBe('a &amp; b\nc <@U1>\nd');
  });
});

describe('createNameDirectory', () => {
  it('asks users.info once per person within an hour, and prefers the display name', async () => {
    let calls = 0;
    const client = {
      users: {
        info: async ({ user }: { user: string }) => {
          calls++;
          return { user: { name: user.toLowerCase(), real_name: 'Real', profile: { display_name: `D-${user}` } } };
        },
      },
    };
    let now = 0;
    const names = createNameDirectory(() => now)(client);
    expect(await names('U1')).toBe('D-U1');
    expect(await names('U1')).toBe('D-U1');
    expect(calls).toBe(1);
    now += 60 * 60 * 1000;
    await names('U1');
    expect(calls).toBe(2);
  });
});
