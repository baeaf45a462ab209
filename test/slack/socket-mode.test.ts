import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockActions, eventEnvelope } from '../../src/standins/slack/signed-requests.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';

describe('Socket Mode', () => {
  let t: TestBot;
  beforeAll(async () => {
    t = await startTestBot({ env: { SLACK_APP_TOKEN: 'xapp-test-app-token', SLACK_SIGNING_SECRET: '' } });
  });
  afterAll(async () => {
    await t.stop();
  });

  it('takes events over the WebSocket and still serves /healthz on PORT', async () => {
    expect(t.config.slack.mode).toBe('socket');
    expect((await fetch(`${t.baseUrl}/healthz`)).status).toBe(200);
    const ack = await t.slack.sendEnvelope(
      'events_api',
      eventEnvelope({ type: 'app_mention', user: 'U1', text: '<@UBOT> hi', ts: '1700000000.000001', channel: 'C9' }),
    );
    expect(ack).toEqual({});
    // Not connected: the thread's answer says so.
    const answer = await t.slack.waitForAnswer('C9', '1700000000.000001');
    expect(answer.text).toContain('I need access to your Intercom account');
  });

  it('streams answers, follows the thread and records feedback over the WebSocket too', async () => {
    t.connectUser('USOCK');
    t.model.respond((req) => ({ text: `socket answer ${req.messages.length}` }));
    const root = t.slack.nextTs();
    await t.slack.sendEnvelope(
      'events_api',
      eventEnvelope({ type: 'app_mention', user: 'USOCK', text: '<@UBOT> first', ts: root, channel: 'CSOCK' }),
    );
    const first = await t.slack.waitForAnswer('CSOCK', root);
    expect(first.chunks?.length).toBeGreaterThan(0);
    await t.slack.sendEnvelope(
      'events_api',
      eventEnvelope({
        type: 'message',
        channel_type: 'channel',
        user: 'USOCK',
        text: 'and then?',
        ts: t.slack.nextTs(),
        thread_ts: root,
        channel: 'CSOCK',
      }),
    );
    await t.slack.waitForAnswer('CSOCK', root, 2);
    await t.slack.sendEnvelope(
      'interactive',
      blockActions({
        teamId: t.slack.teamId,
        user: 'USOCK',
        channel: 'CSOCK',
        message: { ts: first.ts, thread_ts: root },
        action: { type: 'feedback_buttons', action_id: 'answer_feedback', value: 'good' },
      }),
    );
    await t.slack.waitForCall('chat.postEphemeral', (c) => c.params.user === 'USOCK');
  });

  it('has no /slack/events endpoint in Socket Mode', async () => {
    expect((await fetch(`${t.baseUrl}/slack/events`, { method: 'POST', body: '{}' })).status).toBe(404);
  });
});
