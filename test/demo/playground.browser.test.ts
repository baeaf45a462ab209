import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { webApi } from '@slack/bolt';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Demo, startDemo } from '../../src/demo/start-demo.ts';
import { chromiumPath } from '../helpers/chromium.ts';

const EXECUTABLE = chromiumPath();
const ROOT = resolve(import.meta.dirname, '../..');
const ARTIFACTS = join(ROOT, 'artifacts', 'playground');
const WAIT = { timeout: 15_000 };
/** The screenshots README shows (docs/), of the artifacts every run saves. */
const IN_README = new Set(['playground', 'edit-modal']);

/**
 * The whole playground in a real headless Chromium: the real bot behind it, the stand-ins for Slack, Scalekit and
 * Intercom, and the scripted model. One browser and one page for the file; the steps build on each other.
 */
describe.skipIf(!EXECUTABLE)('the playground (npm run demo) in headless Chromium', () => {
  let demo: Demo;
  let browser: Browser;
  let page: Page;
  let dataDir: string;
  const logs: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'demo-test-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    [demo, browser] = await Promise.all([
      startDemo({ port: 0, dataDir, reset: true, log: (line) => logs.push(line) }),
      chromium.launch({ executablePath: EXECUTABLE }),
    ]);
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    await page.goto(demo.url);
    await page.locator('body[data-ready="true"]').waitFor(WAIT);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  const shot = async (name: string) => {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
    // `UPDATE_SCREENSHOTS=1 npx vitest run test/demo/playground.browser.test.ts` refreshes README's pictures.
    if (process.env.UPDATE_SCREENSHOTS && IN_README.has(name)) {
      copyFileSync(join(ARTIFACTS, `${name}.png`), join(ROOT, 'docs', `${name}.png`));
    }
  };
  const open = async (pane: 'support' | 'dm' | 'home' | 'intercom') => {
    await page.click(`button.nav[data-pane="${pane}"]`);
    await page.locator(`button.nav.active[data-pane="${pane}"]`).waitFor(WAIT);
  };
  const say = async (text: string) => {
    await page.fill('#composer-text', text);
    await page.press('#composer-text', 'Enter');
  };
  /** Opens the thread of the channel message that says `text`, once the bot has answered in it. */
  const threadOf = async (text: string): Promise<Locator> => {
    await page.locator('#main .msg', { hasText: text }).locator('.thread-link').click(WAIT);
    return page.locator('#thread');
  };
  /** Switches the person the playground shows, and waits until their view is drawn (it redraws asynchronously). */
  const viewAs = async (user: string) => {
    await page.selectOption('#user', user);
    await page.locator(`body[data-viewer="${user}"]`).waitFor(WAIT);
  };
  const botSays = (where: Locator, text: string) => where.locator('.msg.from-bot', { hasText: text }).last();

  it('connects Alice through the bot’s real connect page, Intercom’s consent screen and the verify page', async () => {
    await say('@bot find john@acme.com');
    const thread = await threadOf('find john@acme.com');
    await botSays(thread, 'I need access to your Intercom account').waitFor(WAIT);

    await open('dm');
    const connect = page.locator('#main a[data-action-id="connect_intercom_link"]').last();
    const [popup] = await Promise.all([page.waitForEvent('popup'), connect.click()]);
    await popup.locator('text=Connect your Intercom account').waitFor(WAIT);
    await popup.click('button[type="submit"]');
    await popup.locator('text=wants to access your Intercom workspace').waitFor(WAIT);
    expect(await popup.locator('#admin option:checked').textContent()).toContain('Alice Moreau');
    await popup.screenshot({ path: join(ARTIFACTS, 'consent.png') });
    await popup.click('#allow');
    await popup.locator('text=Intercom is connected').waitFor(WAIT);
    expect(new URL(popup.url()).pathname).toBe('/verify');
    await popup.close();

    await botSays(page.locator('#main'), 'Intercom connected').waitFor(WAIT);
  });

  it('answers the question Alice asked before connecting, in its thread, as the scripted model', async () => {
    await open('support');
    const thread = await threadOf('find john@acme.com');
    // The whole answer: a streamed one shows its first words before its last.
    const answer = botSays(thread, 'Scripted demo model');
    await answer.waitFor(WAIT);
    expect(await answer.textContent()).toContain('John Smith');
    // Where the bot streams its answers (chat.startStream), the plan's task cards are shown, finished.
    if (demo.slack.callsOf('chat.startStream').length > 0) {
      await answer.locator('.sk-task[data-status="complete"]').first().waitFor(WAIT);
    }
    await shot('playground');
  });

  it('sends a reply Alice approves with Send', async () => {
    await say('@bot reply to john@acme.com: We fixed the login bug, please try again.');
    const thread = await threadOf('reply to john@acme.com');
    const card = botSays(thread, 'Approve:');
    await card.locator('button[data-action-id="approval_send"]').click(WAIT);
    await card.locator('text=Done, approved by').waitFor(WAIT);
    const parts = demo.scalekit.intercom.findConversation('215470001')?.conversation_parts.conversation_parts ?? [];
    expect(parts.at(-1)).toMatchObject({
      body: '<p>We fixed the login bug, please try again.</p>',
      author: { name: 'Alice Moreau' },
    });
  });

  it('sends another after Alice edits it in the modal', async () => {
    await say('@bot reply to jane@x.com: Dark mode ships next month.');
    const thread = await threadOf('reply to jane@x.com');
    const card = botSays(thread, 'Approve:');
    await card.locator('button[data-action-id="approval_edit"]').click(WAIT);
    const text = page.locator('#modal-layer textarea[data-action-id="text"]');
    await text.waitFor(WAIT);
    expect(await text.inputValue()).toBe('Dark mode ships next month.');
    await text.fill('');
    await page.click('#modal-submit');
    await page.locator('#modal-layer [data-error-for="approval_text"]', { hasText: 'Write the text' }).waitFor(WAIT);
    await text.fill('Dark mode is in beta now: want early access?');
    await shot('edit-modal');
    await page.click('#modal-submit');
    await page.locator('#modal-layer').waitFor({ state: 'hidden', ...WAIT });
    await card.locator('text=Done, approved by').waitFor(WAIT);
    const parts = demo.scalekit.intercom.findConversation('215470003')?.conversation_parts.conversation_parts ?? [];
    expect(parts.at(-1)?.body).toBe('<p>Dark mode is in beta now: want early access?</p>');
  });

  it('takes a multi-line message (Shift+Enter); the card, the Edit box and Intercom get it as typed', async () => {
    const typed = 'Hi John & team,\n\nthe fix for <login> is *live*.\nThanks!';
    await page.fill('#composer-text', '@bot reply to john@acme.com: Hi John & team,');
    await page.press('#composer-text', 'Shift+Enter');
    await page.press('#composer-text', 'Shift+Enter');
    await page.keyboard.type('the fix for <login> is *live*.');
    await page.press('#composer-text', 'Shift+Enter');
    await page.keyboard.type('Thanks!');
    await page.press('#composer-text', 'Enter');
    expect(await page.inputValue('#composer-text')).toBe('');
    const thread = await threadOf('Hi John & team');
    const card = botSays(thread, 'Approve:');
    await card.locator('button[data-action-id="approval_edit"]').waitFor(WAIT);
    expect(await card.locator('.sk-text').allTextContents()).toContain(typed);
    await card.locator('button[data-action-id="approval_edit"]').click();
    const text = page.locator('#modal-layer textarea[data-action-id="text"]');
    await text.waitFor(WAIT);
    expect(await text.inputValue()).toBe(typed);
    await page.click('#modal-submit');
    await card.locator('text=Done, approved by').waitFor(WAIT);
    const parts = demo.scalekit.intercom.findConversation('215470001')?.conversation_parts.conversation_parts ?? [];
    expect(parts.at(-1)?.body).toBe('<p>Hi John &amp; team,</p><p>the fix for &lt;login&gt; is *live*.<br>Thanks!</p>');
  });

  it('shows the feedback thanks and the Stop following confirmation in the thread where they were clicked', async () => {
    const thread = await threadOf('find john@acme.com');
    const answer = botSays(thread, 'John Smith');
    await answer.locator('button[data-value="good"]').click(WAIT);
    await thread.locator('.msg.ephemeral', { hasText: 'Thanks for the feedback!' }).waitFor(WAIT);
    await answer.locator('button[data-action-id="thread_unfollow"]').click(WAIT);
    await thread.locator('.msg.ephemeral', { hasText: "I've stopped following this thread" }).waitFor(WAIT);
  });

  it('keeps the channel scrolled to the newest message as messages arrive', async () => {
    for (let i = 1; i <= 14; i++) await say(`standup note ${i}`);
    const last = page.locator('#main .msg', { hasText: 'standup note 14' });
    await last.waitFor(WAIT);
    const gap = () => page.$eval('#main', (el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await expect.poll(gap, WAIT).toBeLessThan(40);
    expect(await page.$eval('#main', (el) => el.scrollHeight > el.clientHeight)).toBe(true);
    // Someone who scrolled up to read and then sends a message sees it, as in Slack.
    await page.$eval('#main', (el) => {
      el.scrollTop = 0;
    });
    await say('standup note 15');
    await page.locator('#main .msg', { hasText: 'standup note 15' }).waitFor(WAIT);
    await expect.poll(gap, WAIT).toBeLessThan(40);
  });

  it('shows both replies in the sample Intercom workspace', async () => {
    await open('intercom');
    const view = page.locator('#main');
    await view.locator('.ic-part.new', { hasText: 'We fixed the login bug, please try again.' }).waitFor(WAIT);
    await view.locator('.ic-part.new', { hasText: 'Dark mode is in beta now: want early access?' }).waitFor(WAIT);
    expect(await view.textContent()).not.toContain('Dark mode ships next month.');
    expect(await view.locator('tr', { hasText: 'Alice Moreau' }).textContent()).toContain('active');
    await shot('intercom-view');
  });

  it('shows Alice her connection and her recent actions on the App Home', async () => {
    await open('home');
    const home = page.locator('#main .home');
    await home.locator('text=Your Intercom account is connected').waitFor(WAIT);
    await home.locator('text=intercom_reply_to_conversation').first().waitFor(WAIT);
    expect(await home.locator('button[data-action-id="disconnect_confirm"]').count()).toBe(1);
  });

  it('shows a streamed answer live (plan, text, then the footer), to its recipient, and posts feedback clicks', async () => {
    // The Slack calls a streaming bot makes (chat.startStream and friends), made here with the bot's own token so
    // this does not depend on whether this version of the bot streams.
    const slack = new webApi.WebClient(demo.slack.botToken, { slackApiUrl: demo.slack.apiUrl });
    const root = demo.slack.nextTs();
    demo.slack.seedMessage({ channel: 'CSUPPORT', ts: root, user: 'UALICE', text: 'how is priya doing?' });
    const task = (id: string, title: string, status: string) => ({ type: 'task_update', id, title, status });
    const { ts } = await slack.chat.startStream({
      channel: 'CSUPPORT',
      thread_ts: root,
      recipient_team_id: demo.slack.teamId,
      recipient_user_id: 'UALICE',
      chunks: [task('t1', 'Looking up priya@initech.example', 'in_progress')] as never,
    });
    await open('support');
    const thread = await threadOf('how is priya doing?');
    const streamed = thread.locator('.sk-stream');
    await streamed.locator('.sk-task[data-status="in_progress"]', { hasText: 'Looking up priya' }).waitFor(WAIT);
    await slack.chat.appendStream({
      channel: 'CSUPPORT',
      ts: ts as string,
      chunks: [task('t1', 'Looking up priya@initech.example', 'complete')] as never,
      markdown_text: '**Priya Raman** has one open conversation &lt;CSV export&gt;.',
    });
    await streamed.locator('.sk-task[data-status="complete"]').waitFor(WAIT);
    await streamed.locator('b', { hasText: 'Priya Raman' }).waitFor(WAIT);
    expect(await streamed.getAttribute('data-streaming')).toBe('true');

    await viewAs('UBOB');
    await page.locator('#thread .sk-typing').waitFor(WAIT);
    expect(await page.locator('#thread').textContent()).not.toContain('Priya Raman has');
    await viewAs('UALICE');

    await slack.chat.stopStream({
      channel: 'CSUPPORT',
      ts: ts as string,
      blocks: [
        {
          type: 'context_actions',
          elements: [
            {
              type: 'feedback_buttons',
              action_id: 'answer_feedback',
              positive_button: { text: { type: 'plain_text', text: 'Good answer' }, value: 'good' },
              negative_button: { text: { type: 'plain_text', text: 'Bad answer' }, value: 'bad' },
            },
          ],
        },
      ] as never,
    });
    const good = page.locator('#thread .sk-stream[data-streaming="false"] button[data-value="good"]');
    await good.waitFor(WAIT);
    expect(await page.locator('#thread .sk-stream').textContent()).toContain('<CSV export>');
    const [clicked] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/click'), WAIT),
      good.click(),
    ]);
    expect(clicked.status()).toBe(200);
    await shot('streamed-answer');
  });

  it('does not let Bob approve what Alice asked for', async () => {
    await open('support');
    await say('@bot add a note to priya@initech.example: Prefers email.');
    const aliceThread = await threadOf('add a note to priya');
    await botSays(aliceThread, 'Approve:').locator('button[data-action-id="approval_send"]').waitFor(WAIT);

    await viewAs('UBOB');
    await page.locator('#main .msg', { hasText: 'add a note to priya' }).waitFor(WAIT);
    const thread = await threadOf('add a note to priya');
    const card = botSays(thread, 'Approve:');
    await card.locator('button[data-action-id="approval_send"]').click(WAIT);
    await thread.locator('.msg.ephemeral', { hasText: 'Only @Alice can approve this.' }).waitFor(WAIT);
    expect(await card.locator('button[data-action-id="approval_send"]').count()).toBe(1);
    expect(demo.scalekit.intercom.notes.map((n) => n.body)).not.toContain('<p>Prefers email.</p>');
    await shot('bob-cannot-approve');
    await viewAs('UALICE');
  });
  it('unfurls a pasted Intercom link, and shows each person the details their own Intercom allows', async () => {
    await open('support');
    await say('look: https://app.intercom.com/a/inbox/emu1a2b3/inbox/conversation/215470002');
    const preview = page.locator('#main .msg', { hasText: 'look:' }).locator('.work-object');
    await preview.locator('.wo-title').waitFor(WAIT);
    const title = (await preview.locator('.wo-title').textContent()) ?? '';
    expect(title.length).toBeGreaterThan(0);

    // Alice (connected) opens the details and acts from them, as herself.
    await preview.locator('button[data-open-details]').click();
    const details = page.locator('#details [data-view="details"] .work-object');
    await details.locator('.wo-title', { hasText: title }).waitFor(WAIT);
    await details.locator('button[data-action-id="conv_assign_me"]').click();
    await details.locator('.wo-fact', { hasText: 'Alice Moreau' }).waitFor(WAIT);
    expect(demo.scalekit.intercom.findConversation('215470002')?.admin_assignee_id).toBe('991001');
    await shot('unfurl-details');

    // Bob has not connected: his details ask him to, and show nothing of the conversation.
    await viewAs('UBOB');
    expect(await page.locator('#details-pane').isHidden()).toBe(true);
    await page.locator('#main .msg', { hasText: 'look:' }).locator('button[data-open-details]').click(WAIT);
    await page.locator('#details [data-view="details"]', { hasText: 'Connect your own Intercom' }).waitFor(WAIT);
    expect(await page.locator('#details').textContent()).not.toContain(title);
    await viewAs('UALICE');
    await page.locator('#details .wo-title', { hasText: title }).waitFor(WAIT);
  });
});
