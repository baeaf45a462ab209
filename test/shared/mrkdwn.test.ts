import { describe, expect, it } from 'vitest';
import { describeSummary } from '../../src/connect/account.ts';
import { escapeMrkdwn, inlineCode, plainText, readableMentions, safeLink } from '../../src/shared/escape.ts';
import { toSlackMrkdwn } from '../../src/shared/mrkdwn.ts';
import { splitMessage } from '../../src/shared/split-message.ts';

const WJ = '\u2060';
/** What no text the bot posts on someone else's behalf may contain. */
const PINGS = /<!channel>|<!here>|<!everyone>|<!subteam|<@U|<!group>/;

describe('escapeMrkdwn', () => {
  it("escapes only Slack's three control characters", () => {
    expect(escapeMrkdwn('a & b <!channel> <@U1> > c *bold* _it_')).toBe(
      'a &amp; b &lt;!channel&gt; &lt;@U1&gt; &gt; c *bold* _it_',
    );
  });

  it('breaks bare broadcast words with an invisible word joiner, but not email addresses', () => {
    expect(escapeMrkdwn('@here, @Channel! (@everyone) ops@here.com @hereford')).toBe(
      `@${WJ}here, @${WJ}Channel! (@${WJ}everyone) ops@here.com @hereford`,
    );
  });
});

describe('readableMentions, plainText and inlineCode', () => {
  it('turns special tokens into inert text a reader understands', () => {
    expect(
      readableMentions('<!channel> <!here|here> <!everyone> <!subteam^S1|@support> <!subteam^S2> <@U1> <@U2|bob>'),
    ).toBe('@channel @here @everyone @support @S2 @U1 @bob');
    expect(readableMentions('<#C1|general> <!date^1700000000^{date}|Nov 14> <john@acme.com>')).toBe(
      '#general Nov 14 <john@acme.com>',
    );
  });

  it('keeps plain_text free of pings and code spans closed', () => {
    expect(plainText('Reply to <!channel> <@U1|Mallory> <m@x.com>')).toBe(`Reply to @${WJ}channel @Mallory <m@x.com>`);
    expect(inlineCode('x`y <!here>')).toBe("`x'y &lt;!here&gt;`");
  });
});

describe('safeLink', () => {
  it('links http(s) URLs with an escaped label', () => {
    expect(safeLink('https://app.intercom.com/a/x?a=1&b=2', 'Open <b> & go')).toBe(
      '<https://app.intercom.com/a/x?a=1&amp;b=2|Open &lt;b&gt; &amp; go>',
    );
  });

  it('shows the real target when the label names another host', () => {
    expect(safeLink('https://evil.example/x', 'https://intercom.com/login')).toBe('<https://evil.example/x>');
    expect(safeLink('https://evil.example/x', 'intercom.com')).toBe('<https://evil.example/x>');
    expect(safeLink('https://intercom.com.evil.example/x', 'log in at intercom.com')).toBe(
      '<https://intercom.com.evil.example/x>',
    );
    // A look-alike host (Cyrillic і) is not the host it imitates.
    expect(safeLink('https://intercom.com/x', '\u0456ntercom.com')).toBe('<https://intercom.com/x>');
  });

  it('keeps a label that names the target host, one above it, or no host at all', () => {
    expect(safeLink('https://app.intercom.com/x', 'intercom.com')).toBe('<https://app.intercom.com/x|intercom.com>');
    expect(safeLink('https://www.acme.com/x', 'https://acme.com')).toBe('<https://www.acme.com/x|https://acme.com>');
    expect(safeLink('https://app.intercom.com/x', 'Conversation #215470001')).toBe(
      '<https://app.intercom.com/x|Conversation #215470001>',
    );
    expect(safeLink('https://app.intercom.com/x', 'john@acme.com')).toBe('<https://app.intercom.com/x|john@acme.com>');
  });

  it('makes no link of anything but a plain http(s) URL', () => {
    expect(safeLink('javascript:alert(1)', 'click')).toBe('click (javascript:alert(1))');
    expect(safeLink('https://a.com/|<!here>', 'x')).toBe('x (https://a.com/|&lt;!here&gt;)');
    expect(safeLink('mailto:a@b.com')).toBe('mailto:a@b.com');
  });
});

describe('toSlackMrkdwn', () => {
  it('renders a steered answer without a single ping and shows where its link really goes', () => {
    const out = toSlackMrkdwn(
      '<!channel> <!here> <@U123> <!subteam^S1> @everyone URGENT [https://intercom.com](https://evil.example)',
    );
    expect(out).toBe(`@${WJ}channel @${WJ}here @U123 @S1 @${WJ}everyone URGENT <https://evil.example>`);
    expect(out).not.toMatch(PINGS);
  });

  it('keeps the links the model writes usable, in Markdown or Slack form, and bare URLs as they are', () => {
    expect(toSlackMrkdwn('See [the conversation](https://app.intercom.com/c/1?a=1&b=2).')).toBe(
      'See <https://app.intercom.com/c/1?a=1&amp;b=2|the conversation>.',
    );
    expect(toSlackMrkdwn('Open <https://app.intercom.com/c/1|in Intercom> or <https://acme.com>')).toBe(
      'Open <https://app.intercom.com/c/1|in Intercom> or <https://acme.com>',
    );
    expect(toSlackMrkdwn('Go to https://app.intercom.com/c/1?a=1&b=2 now')).toBe(
      'Go to https://app.intercom.com/c/1?a=1&amp;b=2 now',
    );
  });

  it('escapes labels and leaves no way to smuggle markup through a link', () => {
    const out = toSlackMrkdwn('[<!channel> click](https://x.com) <https://x.com|<!here>> [x](javascript:alert(1))');
    expect(out).not.toMatch(PINGS);
    expect(out).toContain(`<https://x.com|@${WJ}channel click>`);
    expect(out).not.toContain('<javascript');
    // The placeholder the link rebuilder uses cannot be forged from the input.
    expect(toSlackMrkdwn('a\u00000\u0000 [x](https://a.com)')).toBe('a0 <https://a.com|x>');
  });

  it('converts Markdown slips and escapes code without rewriting it', () => {
    expect(toSlackMrkdwn('## Summary\n**John** has 2 conversations\n- one\n* two')).toBe(
      '*Summary*\n*John* has 2 conversations\n• one\n• two',
    );
    expect(toSlackMrkdwn('Run `a && b <!here>` then\n```\n**x** <@U1>\n```')).toBe(
      'Run `a &amp;&amp; b &lt;!here&gt;` then\n```\n**x** &lt;@U1&gt;\n```',
    );
    expect(toSlackMrkdwn('1 < 2 & 3 > 2')).toBe('1 &lt; 2 &amp; 3 &gt; 2');
  });
});

describe('account status', () => {
  it('shows a status name from Scalekit inertly', () => {
    const text = describeSummary({
      connected: false,
      statusName: '<!channel>_PENDING',
      toolCallsThisWeek: 0,
      approvedThisWeek: 0,
      watching: 0,
    });
    expect(text).toContain('(&lt;!channel&gt; pending)');
    expect(text).not.toMatch(PINGS);
  });
});

describe('splitMessage', () => {
  it('splits long answers at line breaks into pieces under the limit', () => {
    const text = Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(20)}`).join('\n');
    const chunks = splitMessage(text, 300);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(300);
    expect(chunks.join('\n')).toBe(text);
  });
});
