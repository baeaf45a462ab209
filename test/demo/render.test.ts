import { describe, expect, it } from 'vitest';
import { buildApprovalMessage, buildEditModal } from '../../src/approvals/approval-blocks.ts';
import type { PendingAction } from '../../src/approvals/pending-actions.ts';
import { buildConnectMessage, buildDisconnectPrompt } from '../../src/connect/connect-messages.ts';
import { buildConversationCard, buildPickModal } from '../../src/conversation-cards/card-blocks.ts';
import { renderBlocks } from '../../src/demo/render/blocks.ts';
import { renderMessage } from '../../src/demo/render/message.ts';
import { markdownToHtml, mrkdwnToHtml } from '../../src/demo/render/text.ts';
import { parseConversation } from '../../src/intercom/models.ts';

const context = { userName: (id: string) => ({ UALICE: 'Alice', UBOT: 'Intercom Agent' })[id] };
const mrkdwn = (text: string) => mrkdwnToHtml(text, context);
const markdown = (text: string) => markdownToHtml(text, context);

/** No tag the renderer did not write: every `<` in the output opens one of ours. */
function tagsOf(html: string): string[] {
  return [...html.matchAll(/<\/?([a-z0-9]+)/g)].map((m) => m[1] as string);
}
const OUR_TAGS = new Set(['a', 'b', 'i', 's', 'code', 'pre', 'br', 'blockquote', 'span', 'time', 'div', 'ol', 'li']);

describe('Slack mrkdwn as HTML', () => {
  it('formats bold, italic, strike, code, code blocks, line breaks and known emoji', () => {
    expect(mrkdwn('*bold* _it_ ~gone~ `x < y`')).toBe('<b>bold</b> <i>it</i> <s>gone</s> <code>x &#60; y</code>');
    expect(mrkdwn('a\nb')).toBe('a<br>b');
    expect(mrkdwn('```\nline *1*\n```')).toBe('<pre>line *1*\n</pre>');
    expect(mrkdwn(':white_check_mark: done :no_such_emoji:')).toBe('✅ done :no_such_emoji:');
    expect(mrkdwn('snake_case_name and 2*3*4')).toBe('snake_case_name and 2*3*4');
  });

  it("decodes Slack's three entities exactly once, into escaped HTML", () => {
    expect(mrkdwn('&lt;script&gt;alert(1)&lt;/script&gt; &amp;lt; &quot;')).toBe(
      '&#60;script&#62;alert(1)&#60;/script&#62; &#38;lt; &#38;quot;',
    );
    expect(mrkdwn('"quoted" & \'single\'')).toBe('&#34;quoted&#34; &#38; &#39;single&#39;');
  });

  it('links only http(s) URLs, and never lets a URL or a label out of its attribute or tag', () => {
    expect(mrkdwn('<https://x.example/a?b=1&amp;c=2|Label *b*>')).toBe(
      '<a href="https://x.example/a?b=1&#38;c=2" target="_blank" rel="noopener noreferrer">Label *b*</a>',
    );
    expect(mrkdwn('<https://x.example/p>')).toContain('>https://x.example/p</a>');
    expect(mrkdwn('<javascript:alert(1)|click me>')).toBe('click me');
    expect(mrkdwn('<data:text/html,hi>')).toBe('data:text/html,hi');
    const sneaky = mrkdwn('<https://e.example/" onmouseover="x|y> <img src=x onerror=alert(1)>');
    expect(sneaky).not.toContain('onmouseover="');
    expect(tagsOf(sneaky).every((tag) => OUR_TAGS.has(tag))).toBe(true);
    expect(sneaky).not.toMatch(/<img/);
  });

  it('shows mentions, broadcasts and dates as text, and quotes', () => {
    expect(mrkdwn('<@UALICE> and <@UNOBODY>')).toBe(
      '<span class="mention">@Alice</span> and <span class="mention">@UNOBODY</span>',
    );
    expect(mrkdwn('<!here>')).toBe('<span class="mention">@here</span>');
    expect(mrkdwn('<!date^1767225600^{date_short_pretty} at {time}|2026-01-01T00:00:00.000Z>')).toBe(
      '<time>1 Jan 2026 at 00:00 UTC</time>',
    );
    expect(mrkdwn('*Said:*\n>>> first &gt; line\nsecond')).toBe(
      '<b>Said:</b><blockquote>first &#62; line<br>second</blockquote>',
    );
    expect(mrkdwn('&gt; not a quote')).toBe('&#62; not a quote');
  });
});

describe('streamed Markdown as HTML', () => {
  it('formats Markdown, links http(s) only, and escapes the rest', () => {
    expect(markdown('**John** has *two* `open` conversations')).toBe(
      '<b>John</b> has <i>two</i> <code>open</code> conversations',
    );
    expect(markdown('# Summary\n- one\n- two')).toBe(
      '<b>Summary</b><br><span class="bullet">• one</span><br><span class="bullet">• two</span>',
    );
    expect(markdown('[Conversation](https://app.intercom.com/c/1)')).toContain(
      '<a href="https://app.intercom.com/c/1" target="_blank" rel="noopener noreferrer">Conversation</a>',
    );
    expect(markdown('[click](javascript:alert(1))')).not.toContain('<a');
    expect(markdown('see https://x.example/a.')).toContain('>https://x.example/a</a>.');
    const hostile = markdown('&lt;img src=x onerror=alert(1)&gt; <b>raw</b>');
    expect(hostile).toBe('&#60;img src=x onerror=alert(1)&#62; &#60;b&#62;raw&#60;/b&#62;');
  });
});

const action: PendingAction = {
  id: 'act_1',
  teamId: 'T0001',
  userId: 'UALICE',
  identifier: 'u_1',
  channel: 'CSUPPORT',
  threadTs: '1.000001',
  messageTs: null,
  toolName: 'intercom_reply_to_conversation',
  arguments: {},
  preview: {
    summary: 'Reply to John Smith <script>',
    facts: [['Conversation', "Can't log in"]],
    text: 'Hi John, <b>fixed</b> & done.',
    customerVisible: true,
    textField: 'body',
  },
  snapshot: null,
  status: 'pending',
  createdAt: 0,
  expiresAt: 1_767_225_600_000,
  decidedAt: null,
  decidedBy: null,
  outcome: null,
  executionId: null,
};

describe("the bot's own Block Kit, rendered", () => {
  it('shows an approval card: header, fields, quoted text, context and Send / Edit / Cancel with ids and values', () => {
    const html = renderBlocks(buildApprovalMessage(action, { kind: 'pending' }).blocks, context);
    expect(html).toContain('<div class="sk-header">Approve: Reply to John Smith &#60;script&#62;</div>');
    expect(html).toContain('<div class="sk-fields"><div><b>Conversation:</b><br>Can&#39;t log in</div></div>');
    // The customer's text is plain text: shown as written, markup and all.
    expect(html).toContain('<div class="sk-text">Hi John, &#60;b&#62;fixed&#60;/b&#62; &#38; done.</div>');
    expect(html).toContain('<span class="mention">@Alice</span> clicks Send');
    for (const [id, label, style] of [
      ['approval_send', 'Send', ' primary'],
      ['approval_edit', 'Edit', ''],
      ['approval_cancel', 'Cancel', ' danger'],
    ]) {
      expect(html).toContain(
        `<button type="button" class="sk-button${style}" data-kind="button" data-block-id="approval" data-action-id="${id}" data-value="act_1">${label}</button>`,
      );
    }
    expect(tagsOf(html).every((tag) => OUR_TAGS.has(tag) || ['hr', 'button'].includes(tag))).toBe(true);
  });

  it('shows the Edit modal input with its ids, initial text and an error slot', () => {
    const html = renderBlocks(buildEditModal(action).blocks, context);
    expect(html).toContain('<label class="sk-label" for="in-approval_text">The customer will see</label>');
    expect(html).toContain(
      '<textarea id="in-approval_text" data-block-id="approval_text" data-action-id="text" rows="5">Hi John, &#60;b&#62;fixed&#60;/b&#62; &#38; done.</textarea>',
    );
    expect(html).toContain('data-error-for="approval_text"');
  });

  it('shows URL buttons as links that also post the click, and confirm dialogs as data', () => {
    const html = renderBlocks(buildConnectMessage('https://bot.example/connect/tok?a=1&b=2', 'needed').blocks, context);
    expect(html).toContain(
      '<a class="sk-button primary" data-kind="button" data-block-id="b1" data-action-id="connect_intercom_link" href="https://bot.example/connect/tok?a=1&#38;b=2" target="_blank" rel="noopener noreferrer">Connect Intercom</a>',
    );
    const disconnect = renderBlocks(buildDisconnectPrompt().blocks, context);
    const confirm = /data-confirm="([^"]*)"/.exec(disconnect)?.[1] ?? '';
    expect(JSON.parse(confirm.replaceAll('&#34;', '"').replaceAll('&#38;', '&'))).toMatchObject({
      title: 'Disconnect Intercom?',
      confirm: 'Disconnect',
      deny: 'Keep it',
    });
    expect(
      renderBlocks(
        [
          {
            type: 'actions',
            elements: [
              { type: 'button', text: { type: 'plain_text', text: 'x' }, action_id: 'a', url: 'javascript:alert(1)' },
            ],
          },
        ],
        context,
      ),
    ).toContain('<button type="button"');
  });

  it('shows a conversation card: its buttons, the snooze menu and the overflow menu, as controls that send their choice', () => {
    const conversation = parseConversation({
      id: '215',
      state: 'open',
      title: 'Refund <b>now</b>',
      source: { author: { type: 'user', name: 'Jane', email: 'jane@x.example' } },
    });
    if (!conversation) throw new Error('no conversation');
    const html = renderBlocks(buildConversationCard({ conversation, now: Date.UTC(2026, 0, 1) }), context);
    expect(html).toContain('<b>Refund &#60;b&#62;now&#60;/b&#62;</b><br>Jane (');
    expect(html).toContain(') · Open · Unassigned');
    expect(html).toContain(
      'data-kind="button" data-block-id="convcard:215:actions" data-action-id="conv_close" data-value="215"',
    );
    expect(html).toContain(
      'data-kind="static_select" data-block-id="convcard:215:actions" data-action-id="conv_snooze"',
    );
    expect(html).toContain('<option value="tomorrow:215">Tomorrow 9:00</option>');
    expect(html).toContain('data-kind="overflow"');
    expect(html).toContain('<option value="priority:215">Mark as priority</option>');
    const modal = renderBlocks(
      buildPickModal({ kind: 'tag', options: [{ id: '81', name: 'vip' }], metadata: '{}' }).blocks,
      context,
    );
    expect(modal).toContain(
      '<select id="in-conv_pick" data-block-id="conv_pick" data-action-id="choice"><option value="81">vip</option>',
    );
  });

  it('shows dividers, section accessories, feedback buttons, plans, task cards, and names what it cannot show', () => {
    const html = renderBlocks(
      [
        { type: 'divider' },
        {
          type: 'section',
          block_id: 's1',
          text: { type: 'plain_text', text: 'Hi :wave:' },
          accessory: { type: 'button', action_id: 'go', value: 'v', text: { type: 'plain_text', text: 'Go' } },
        },
        {
          type: 'context_actions',
          block_id: 'fb',
          elements: [
            {
              type: 'feedback_buttons',
              action_id: 'answer_feedback',
              positive_button: { text: { type: 'plain_text', text: 'Good' }, value: 'good' },
              negative_button: { text: { type: 'plain_text', text: 'Bad' }, value: 'bad' },
            },
          ],
        },
        {
          type: 'plan',
          title: 'Plan',
          tasks: [{ type: 'task_card', task_id: 't1', title: 'Search & find', status: 'complete' }],
        },
        { type: 'image', image_url: 'https://x.example/i.png', alt_text: 'x' },
      ],
      context,
    );
    expect(html).toContain('<hr class="sk-divider">');
    expect(html).toContain('Hi 👋');
    expect(html).toContain('data-block-id="s1" data-action-id="go" data-value="v">Go</button>');
    expect(html).toContain(
      'data-kind="feedback_buttons" data-block-id="fb" data-action-id="answer_feedback" data-value="good"',
    );
    expect(html).toContain('data-value="bad"');
    expect(html).toContain('<li class="sk-task complete" data-task-id="t1" data-status="complete">');
    expect(html).toContain('Search &#38; find');
    expect(html).toContain('[image is not shown in the playground]');
  });
});

describe('messages', () => {
  it('prefer blocks over text, and render plain text as mrkdwn', () => {
    expect(renderMessage({ text: 'fallback', blocks: [{ type: 'divider' }] }, context)).toBe('<hr class="sk-divider">');
    expect(renderMessage({ text: '*hi*' }, context)).toBe('<div class="sk-text"><b>hi</b></div>');
  });

  it('show a stream: its tasks at their latest status in first-seen order, its Markdown, then the final blocks', () => {
    const chunks = [
      { type: 'task_update', id: 'understand', title: 'Understanding your request', status: 'in_progress' },
      { type: 'task_update', id: 'understand', title: 'Understanding your request', status: 'complete' },
      { type: 'task_update', id: 'search', title: 'Looking up john@acme.com', status: 'in_progress' },
      { type: 'markdown_text', text: '**John** is ' },
      { type: 'markdown_text', text: 'a customer &lt;vip&gt;.' },
    ];
    const live = renderMessage({ streaming: true, chunks }, context);
    expect(live).toContain('data-streaming="true"');
    expect([...live.matchAll(/data-task-id="(\w+)" data-status="(\w+)"/g)].map((m) => `${m[1]}:${m[2]}`)).toEqual([
      'understand:complete',
      'search:in_progress',
    ]);
    expect(live).toContain('<b>John</b> is a customer &#60;vip&#62;.');
    expect(live).toContain('sk-typing');

    const done = renderMessage(
      {
        streaming: false,
        chunks: [
          ...chunks,
          { type: 'task_update', id: 'search', title: 'Looking up john@acme.com', status: 'complete' },
        ],
        blocks: [{ type: 'context', elements: [{ type: 'mrkdwn', text: 'AI-generated, acting as <@UALICE>' }] }],
      },
      context,
    );
    expect(done).not.toContain('sk-typing');
    expect(done).toContain('data-task-id="search" data-status="complete"');
    expect(done.indexOf('customer')).toBeLessThan(done.indexOf('AI-generated'));
    expect(done).toContain('<span class="mention">@Alice</span>');
  });
});
