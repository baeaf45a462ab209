import { webApi } from '@slack/bolt';
import type { EntityMetadata } from '@slack/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SlackApiEmulator, startSlackApiEmulator } from '../../src/standins/slack/emulator.ts';

let slack: SlackApiEmulator;
let client: webApi.WebClient;

beforeAll(async () => {
  slack = await startSlackApiEmulator();
  client = new webApi.WebClient(slack.botToken, { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
});
afterAll(() => slack.close());

const URL_PASTED = 'https://app.intercom.com/a/inbox/ws1/inbox/conversation/42';
const entity = (overrides: Partial<EntityMetadata> = {}): EntityMetadata => ({
  entity_type: 'slack#/entities/task',
  url: URL_PASTED,
  app_unfurl_url: URL_PASTED,
  external_ref: { id: 'ws1/42', type: 'intercom_conversation' },
  entity_payload: { attributes: { title: { text: 'Cannot log in' } } },
  ...overrides,
});

describe('the Slack stand-in, for link unfurls and Work Objects', () => {
  it('sends link_shared for a posted message and takes chat.unfurl by unfurl_id or by channel and ts', async () => {
    const event = slack.shareLinks({ user: 'UALICE', channel: 'CSUP', urls: [URL_PASTED] });
    expect(event).toMatchObject({ type: 'link_shared', user: 'UALICE', links: [{ domain: 'app.intercom.com' }] });
    const ts = String(event.message_ts);
    await client.chat.unfurl({
      unfurl_id: String(event.unfurl_id),
      source: 'conversations_history',
      metadata: { entities: [entity()] },
    });
    await client.chat.unfurl({
      channel: 'CSUP',
      ts,
      unfurls: {},
      user_auth_required: true,
      user_auth_url: 'https://bot.example/connect/x',
    });
    expect(slack.unfurls.slice(-2)).toMatchObject([
      { channel: 'CSUP', ts, entities: [{ external_ref: { id: 'ws1/42' } }] },
      { channel: 'CSUP', ts, userAuthRequired: true, userAuthUrl: 'https://bot.example/connect/x' },
    ]);
  });

  it('refuses chat.unfurl as Slack does: no target, an unknown message, entities missing what Slack requires', async () => {
    const { message_ts } = slack.shareLinks({ user: 'UALICE', channel: 'CSUP', urls: [URL_PASTED] });
    const ts = String(message_ts);
    const unfurl = (args: Record<string, unknown>) => client.apiCall('chat.unfurl', args);
    await expect(unfurl({ metadata: { entities: [entity()] } })).rejects.toThrow(/invalid_arguments/);
    await expect(unfurl({ channel: 'CSUP', ts: '1.000001', metadata: { entities: [entity()] } })).rejects.toThrow(
      /cannot_find_message/,
    );
    await expect(unfurl({ channel: 'CSUP', ts })).rejects.toThrow(/invalid_arguments/);
    for (const bad of [
      entity({ app_unfurl_url: undefined }),
      entity({ url: 'not a url' }),
      entity({ external_ref: { id: '' } }),
      entity({ entity_payload: { attributes: { title: { text: '' } } } }),
    ]) {
      await expect(unfurl({ channel: 'CSUP', ts, metadata: { entities: [bad] } })).rejects.toThrow(/invalid_metadata/);
    }
    await expect(unfurl({ channel: 'CSUP', ts, metadata: { entities: [] } })).rejects.toThrow(/invalid_metadata/);
  });

  it('answers entity.presentDetails once per trigger_id it handed out, with exactly one kind of answer', async () => {
    const event = slack.detailsRequest({ user: 'UBOB', entity: entity() });
    expect(event).toMatchObject({ type: 'entity_details_requested', user: 'UBOB', external_ref: { id: 'ws1/42' } });
    const trigger_id = String(event.trigger_id);
    const present = (args: Record<string, unknown>) => client.apiCall('entity.presentDetails', args);
    await expect(present({ trigger_id: 'made-up', metadata: entity() })).rejects.toThrow(/invalid_trigger_id/);
    await expect(
      present({ trigger_id, metadata: entity(), error: { status: 'custom', custom_message: 'no' } }),
    ).rejects.toThrow(/invalid_arguments/);
    await expect(present({ trigger_id, user_auth_required: true })).rejects.toThrow(/invalid_arguments/);
    await expect(present({ trigger_id, error: { custom_message: 'no status' } })).rejects.toThrow(/invalid_arguments/);
    await client.entity.presentDetails({ trigger_id, error: { status: 'custom', custom_message: 'Not yours' } });
    expect(await slack.waitForDetails(trigger_id)).toMatchObject({
      user: 'UBOB',
      error: { custom_message: 'Not yours' },
    });
    await expect(present({ trigger_id, metadata: entity() })).rejects.toThrow(/trigger_exchanged/);
  });
});
