import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';

let slack: SlackApiEmulator;
let client: webApi.WebClient;

beforeAll(async () => {
  slack = await startSlackApiEmulator();
  client = new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());

const modal = (title: string) => ({
  type: 'modal' as const,
  title: { type: 'plain_text' as const, text: title },
  blocks: [],
});

describe('the Slack stand-in, for what the playground shows', () => {
  it('remembers the modal views.open opened for each trigger_id, as views.update changes it', async () => {
    const opened = await client.views.open({ trigger_id: 'trig-1', view: modal('Edit before sending') });
    await client.views.open({ trigger_id: 'trig-2', view: modal('Another') });
    expect(slack.openedView('trig-1')?.view).toMatchObject({ title: { text: 'Edit before sending' } });
    await client.views.update({ view_id: opened.view?.id as string, view: modal('Edited') });
    expect(slack.openedView('trig-1')?.view).toMatchObject({ title: { text: 'Edited' } });
    expect(slack.openedView('trig-2')?.view).toMatchObject({ title: { text: 'Another' } });
    expect(slack.openedView('never')).toBeUndefined();
    await expect(client.views.open({ trigger_id: '', view: modal('x') })).rejects.toThrow(/invalid_trigger_id/);
  });

  it("keeps each person's last published App Home", async () => {
    await client.views.publish({ user_id: 'UALICE', view: { type: 'home', blocks: [{ type: 'divider' }] } });
    await client.views.publish({ user_id: 'UALICE', view: { type: 'home', blocks: [] } });
    expect(slack.homeOf('UALICE')).toEqual({ type: 'home', blocks: [] });
    expect(slack.homeOf('UBOB')).toBeUndefined();
  });

  it('records ephemeral messages with whom they are for, and deletes messages', async () => {
    await client.chat.postEphemeral({ channel: 'CSUP', user: 'UBOB', thread_ts: '1.1', text: 'Only for Bob' });
    expect(slack.ephemerals.at(-1)).toMatchObject({
      channel: 'CSUP',
      user: 'UBOB',
      thread_ts: '1.1',
      text: 'Only for Bob',
    });
    const posted = await client.chat.postMessage({ channel: 'CSUP', text: 'to delete' });
    await client.chat.delete({ channel: 'CSUP', ts: posted.ts as string });
    expect(slack.messagesIn('CSUP').map((m) => m.text)).not.toContain('to delete');
    await expect(client.chat.delete({ channel: 'CSUP', ts: posted.ts as string })).rejects.toThrow(/message_not_found/);
  });

  it('keeps who may see a channel stream while it is live, and tells listeners about every change', async () => {
    let changes = 0;
    const stop = slack.onChange(() => changes++);
    const root = await client.chat.postMessage({ channel: 'CSUP', text: 'question' });
    const stream = await client.chat.startStream({
      channel: 'CSUP',
      thread_ts: root.ts as string,
      recipient_team_id: slack.teamId,
      recipient_user_id: 'UALICE',
      markdown_text: 'Hi',
    });
    expect(slack.messagesIn('CSUP').find((m) => m.ts === stream.ts)).toMatchObject({
      streaming: true,
      recipient_user_id: 'UALICE',
      text: 'Hi',
    });
    slack.seedMessage({ channel: 'CSUP', ts: slack.nextTs(), user: 'UBOB', text: 'hello' });
    expect(changes).toBe(3);
    stop();
    await client.chat.postMessage({ channel: 'CSUP', text: 'unheard' });
    expect(changes).toBe(3);
    expect(slack.allMessages().map((m) => m.text)).toContain('unheard');
  });
});
