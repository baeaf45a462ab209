import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PresentedDetails, UnfurlRecord } from '../../src/standins/slack/emulator.ts';
import { startTestBot, type TestBot } from '../helpers/test-bot.ts';
import { newConversation } from '../watches/watch-helpers.ts';

let t: TestBot;
let users = 0;

beforeAll(async () => {
  t = await startTestBot({ streaming: false });
});
afterAll(async () => {
  await t.stop();
});

const WORKSPACE = 'emu1a2b3';
const CHANNEL = 'CLINKS';
const inboxLink = (id: string, host = 'app.intercom.com') =>
  `https://${host}/a/inbox/${WORKSPACE}/inbox/conversation/${id}`;

type Entity = {
  url: string;
  app_unfurl_url?: string;
  external_ref: { id: string; type?: string };
  entity_payload: {
    attributes: { title: { text: string } };
    fields?: Record<string, { value?: unknown }>;
    custom_fields?: Array<{ key: string; value?: unknown }>;
    actions?: { primary_actions?: Button[]; overflow_actions?: Button[] };
  };
};
type Button = { text: string; action_id: string; value?: string };

/** A teammate in Slack, connected to Intercom or not. */
function teammate(connected = true): { user: string; identifier: string } {
  const user = `ULINK${++users}`;
  return { user, identifier: connected ? t.connectUser(user) : t.identifierOf(user) };
}

/** `user` posts the links; resolves once the bot has handled the link_shared event (and everything it does). */
async function paste(user: string, urls: string[]): Promise<{ ts: string }> {
  const event = t.slack.shareLinks({ user, channel: CHANNEL, urls });
  const eventId = `EvLinks${event.message_ts}`;
  expect((await t.sendEvent(event, { eventId })).status).toBe(200);
  await t.waitForLog((r) => r.msg === 'Slack request handled' && r.eventId === eventId);
  return { ts: String(event.message_ts) };
}

const unfurlsOf = (ts: string): UnfurlRecord[] => t.slack.unfurls.filter((u) => u.channel === CHANNEL && u.ts === ts);

const fieldOf = (entity: Entity, key: string) => entity.entity_payload.custom_fields?.find((f) => f.key === key)?.value;

/** `viewer` opens the details of `entity`; resolves with what the bot presented to them. */
async function openDetails(viewer: string, entity: Entity): Promise<PresentedDetails> {
  const event = t.slack.detailsRequest({ user: viewer, entity, channel: CHANNEL });
  expect((await t.sendEvent(event)).status).toBe(200);
  return t.slack.waitForDetails(String(event.trigger_id));
}

/** Tool calls about one conversation, whoever made them. */
const toolCalls = (toolName: string, conversationId: string) =>
  t.scalekit
    .callsOf('ExecuteTool')
    .filter(
      (c) =>
        c.request.toolName === toolName &&
        (c.request.params as Record<string, unknown>)?.conversation_id === conversationId,
    );
const retrievals = (conversationId: string) => toolCalls('intercom_retrieve_conversation', conversationId);

/** A conversation unfurled by a connected poster: its Work Object as everyone in the channel sees it. */
async function unfurled(conversationId = newConversation(t)): Promise<{ entity: Entity; poster: string }> {
  const poster = teammate();
  const { ts } = await paste(poster.user, [inboxLink(conversationId)]);
  const [unfurl] = unfurlsOf(ts);
  const entity = unfurl?.entities?.[0] as Entity | undefined;
  if (!entity) throw new Error('no unfurl');
  return { entity, poster: poster.user };
}

describe('a pasted Intercom conversation link', () => {
  it('unfurls as a Work Object read with the poster’s own Intercom: customer, subject, state, assignee, waiting, actions', async () => {
    const id = newConversation(t);
    const poster = teammate();
    const url = inboxLink(id);
    const { ts } = await paste(poster.user, [url]);

    const [unfurl] = unfurlsOf(ts);
    expect(unfurl?.userAuthRequired).toBeUndefined();
    const entity = unfurl?.entities?.[0] as Entity;
    expect(entity.app_unfurl_url).toBe(url);
    expect(entity.url).toBe(inboxLink(id));
    expect(entity.external_ref).toEqual({ id: `${WORKSPACE}/${id}`, type: 'intercom_conversation' });
    expect(entity.entity_payload.attributes.title.text).toBe("Can't log in after resetting my password");
    expect(fieldOf(entity, 'customer')).toBe('John Smith (john@acme.com)');
    expect(entity.entity_payload.fields?.status?.value).toBe('Open');
    expect(fieldOf(entity, 'assignee')).toBe('Unassigned');
    expect(String(fieldOf(entity, 'waiting'))).toMatch(/^Waiting \d+ (min|h|days)$/);
    const actions = entity.entity_payload.actions;
    expect(actions?.primary_actions?.map((a) => [a.action_id, a.value])).toEqual([
      ['conv_assign_me', id],
      ['conv_close', id],
    ]);
    expect(actions?.overflow_actions?.map((a) => a.text)).toEqual([
      'Reply…',
      'Note…',
      'Snooze: 1 hour',
      'Snooze: Tomorrow 9:00',
      'Snooze: Next Monday 9:00',
      'Tag…',
      'Mark as priority',
    ]);
    // Read with the poster's connection, nobody else's.
    expect(retrievals(id).map((c) => c.request.identifier)).toEqual([poster.identifier]);
  });

  it('unfurls the older inbox form and the regional hosts, one entity per conversation', async () => {
    const [a, b] = [newConversation(t), newConversation(t)];
    const poster = teammate();
    const older = `https://app.eu.intercom.com/a/apps/${WORKSPACE}/inbox/inbox/all/conversations/${a}`;
    const au = `${inboxLink(b, 'app.au.intercom.com')}?view=List#part`;
    const { ts } = await paste(poster.user, [older, au, inboxLink(a)]);
    const entities = (unfurlsOf(ts)[0]?.entities ?? []) as Entity[];
    expect(entities.map((e) => [e.external_ref.id, e.app_unfurl_url])).toEqual([
      [`${WORKSPACE}/${a}`, older],
      [`${WORKSPACE}/${b}`, au],
    ]);
  });

  it('asks a poster who has not connected to connect (their own link) and reads nothing', async () => {
    const id = newConversation(t);
    const poster = teammate(false);
    const { ts } = await paste(poster.user, [inboxLink(id)]);
    const [unfurl] = unfurlsOf(ts);
    expect(unfurl?.userAuthRequired).toBe(true);
    expect(unfurl?.entities).toBeUndefined();
    expect(unfurl?.userAuthUrl).toMatch(new RegExp(`^${t.config.http.publicUrl}/connect/[\\w-]+$`));
    expect(retrievals(id)).toEqual([]);
  });

  it('is not unfurled when the poster’s own Intercom cannot see it', async () => {
    const id = newConversation(t);
    const poster = teammate();
    t.scalekit.intercom.hideFrom(id, t.scalekit.intercom.adminFor(poster.identifier).id);
    const { ts } = await paste(poster.user, [inboxLink(id)]);
    expect(unfurlsOf(ts)).toEqual([]);
    expect(retrievals(id).map((c) => c.request.identifier)).toEqual([poster.identifier]);
  });

  it('is not unfurled from another Intercom workspace than the poster’s (the same number is another conversation)', async () => {
    const id = newConversation(t);
    const poster = teammate();
    const { ts } = await paste(poster.user, [`https://app.intercom.com/a/inbox/otherws9/inbox/conversation/${id}`]);
    expect(unfurlsOf(ts)).toEqual([]);
  });
});

describe('the details of an unfurled conversation', () => {
  it('show each viewer what their own Intercom sees, never the poster’s data', async () => {
    const id = newConversation(t);
    const { entity } = await unfurled(id);
    const seeing = teammate();
    const restricted = teammate();
    const intercom = t.scalekit.intercom;
    intercom.hideFrom(id, intercom.adminFor(restricted.identifier).id);
    // The poster's unfurl was read before; since then a teammate took the conversation in Intercom.
    intercom.changeConversation(id, { assigneeId: intercom.adminFor(seeing.identifier).id });

    const shown = await openDetails(seeing.user, entity);
    const details = shown.entity as Entity;
    expect(shown.user).toBe(seeing.user);
    expect(details.external_ref.id).toBe(`${WORKSPACE}/${id}`);
    expect(fieldOf(details, 'customer')).toBe('John Smith (john@acme.com)');
    expect(fieldOf(details, 'assignee')).toBe(intercom.adminFor(seeing.identifier).name);

    const refused = await openDetails(restricted.user, entity);
    expect(refused.entity).toBeUndefined();
    expect(refused.error?.custom_message).toContain('cannot see');
    expect(JSON.stringify(refused)).not.toContain('John');

    const byViewer = retrievals(id).map((c) => c.request.identifier);
    expect(byViewer).toContain(seeing.identifier);
    expect(byViewer).toContain(restricted.identifier);
  });

  it('ask a viewer who has not connected to connect, with their own link, and read nothing as them', async () => {
    const id = newConversation(t);
    const { entity } = await unfurled(id);
    const viewer = teammate(false);
    const before = retrievals(id).length;
    const shown = await openDetails(viewer.user, entity);
    expect(shown.entity).toBeUndefined();
    expect(shown.userAuthUrl).toMatch(new RegExp(`^${t.config.http.publicUrl}/connect/[\\w-]+$`));
    expect(retrievals(id).length).toBe(before);
  });

  it('act as the viewer who clicks an action in them', async () => {
    const id = newConversation(t);
    const { entity } = await unfurled(id);
    const viewer = teammate();
    const shown = (await openDetails(viewer.user, entity)).entity as Entity;
    const assign = shown.entity_payload.actions?.primary_actions?.find((a) => a.action_id === 'conv_assign_me');
    const snooze = shown.entity_payload.actions?.overflow_actions?.find((a) => a.text === 'Snooze: 1 hour');
    const handled = (line: string) => line.includes('"Slack request handled"') && line.includes('"block_actions"');
    for (const button of [assign, snooze]) {
      if (!button) throw new Error('missing action');
      const done = t.logs.filter(handled).length + 1;
      expect((await t.sendInteraction(entityAction(viewer.user, button))).status).toBe(200);
      // Bolt has run the card's click handling to its end once this line is written.
      await t.waitForLogs(handled, done);
    }
    const calls = toolCalls('intercom_manage_conversation', id);
    expect(calls.map((c) => (c.request.params as Record<string, unknown>).message_type)).toEqual([
      'assignment',
      'snoozed',
    ]);
    const admin = t.scalekit.intercom.adminFor(viewer.identifier).id;
    for (const call of calls) {
      expect(call.request.identifier).toBe(viewer.identifier);
      expect((call.request.params as Record<string, unknown>).admin_id).toBe(admin);
    }
    expect(t.scalekit.intercom.findConversation(id)?.admin_assignee_id).toBe(admin);
  });
});

describe('an action in the details that cannot go on', () => {
  /** The details pane has no channel: whatever the clicker must hear comes as a DM from the bot. */
  const dmTo = (user: string) => t.slack.waitForCall('chat.postMessage', (c) => c.params.channel === `D${user}`);
  const assignButton = (entity: Entity) => {
    const button = entity.entity_payload.actions?.primary_actions?.find((a) => a.action_id === 'conv_assign_me');
    if (!button) throw new Error('missing action');
    return button;
  };

  it('sends a clicker who has not connected their own connect link, and does nothing', async () => {
    const id = newConversation(t);
    const { entity } = await unfurled(id);
    const clicker = teammate(false);
    expect((await t.sendInteraction(entityAction(clicker.user, assignButton(entity)))).status).toBe(200);
    const dm = await dmTo(clicker.user);
    expect(String(dm.params.text)).toMatch(/connect/i);
    expect(JSON.stringify(dm.params.blocks)).toMatch(new RegExp(`${t.config.http.publicUrl}/connect/[\\w-]+`));
    expect(String(dm.params.unfurl_links)).toBe('false');
    expect(toolCalls('intercom_manage_conversation', id)).toEqual([]);
  });

  it('tells a clicker whose Intercom refuses the action, in words', async () => {
    const id = newConversation(t);
    const { entity } = await unfurled(id);
    const clicker = teammate();
    t.scalekit.failNextTool({ toolName: 'intercom_manage_conversation', kind: 'forbidden' });
    expect((await t.sendInteraction(entityAction(clicker.user, assignButton(entity)))).status).toBe(200);
    const dm = await dmTo(clicker.user);
    expect(dm.params.text).toBe(
      'Intercom did not let your account assign it to you: it lacks the permission. Nothing was changed.',
    );
    expect(t.scalekit.intercom.findConversation(id)?.admin_assignee_id ?? null).toBeNull();
  });
});

describe('bad input', () => {
  it('acknowledges links that are not conversations, malformed URLs and the bot’s own messages, and does nothing', async () => {
    const poster = teammate();
    const before = t.slack.unfurls.length;
    const executed = t.scalekit.callsOf('ExecuteTool').length;
    await paste(poster.user, [
      `https://app.intercom.com/a/inbox/${WORKSPACE}/inbox/contacts/123`,
      `https://app.intercom.com/a/apps/${WORKSPACE}/settings`,
      `http://app.intercom.com/a/inbox/${WORKSPACE}/inbox/conversation/215470001`,
      `https://app.intercom.com.evil.example/a/inbox/${WORKSPACE}/inbox/conversation/215470001`,
      `https://app.intercom.com/a/inbox/${WORKSPACE}/inbox/conversation/12ab`,
      'https://app.intercom.com/a/inbox/%zz/conversation/',
      'not a url at all',
    ]);
    await paste(t.slack.botUserId, [inboxLink(newConversation(t))]);
    expect(t.slack.unfurls.length).toBe(before);
    expect(t.scalekit.callsOf('ExecuteTool').length).toBe(executed);
  });

  it('unfurls only the conversation among other links', async () => {
    const id = newConversation(t);
    const poster = teammate();
    const { ts } = await paste(poster.user, [
      `https://app.intercom.com/a/inbox/${WORKSPACE}/inbox/contacts/123`,
      inboxLink(id),
      'https://app.intercom.com/%',
    ]);
    expect(((unfurlsOf(ts)[0]?.entities ?? []) as Entity[]).map((e) => e.external_ref.id)).toEqual([
      `${WORKSPACE}/${id}`,
    ]);
  });

  it('acknowledges details of an entity id that is not one of ours, and presents nothing', async () => {
    const viewer = teammate();
    const executed = t.scalekit.callsOf('ExecuteTool').length;
    for (const external_ref of [
      { id: 'whatever', type: 'intercom_conversation' },
      { id: `${WORKSPACE}/215470001`, type: 'jira_issue' },
      { id: `${WORKSPACE}/215470001/../1`, type: 'intercom_conversation' },
    ]) {
      const event = t.slack.detailsRequest({
        user: viewer.user,
        entity: { url: 'https://app.intercom.com/', external_ref },
      });
      const eventId = `EvDetails${event.trigger_id}`;
      expect((await t.sendEvent(event, { eventId })).status).toBe(200);
      await t.waitForLog((r) => r.msg === 'Slack request handled' && r.eventId === eventId);
    }
    expect(
      t.slack.callsOf('entity.presentDetails').filter((c) => c.params.trigger_id?.toString().includes(viewer.user)),
    ).toEqual([]);
    expect(t.scalekit.callsOf('ExecuteTool').length).toBe(executed);
  });
});

/** The block_actions payload Slack sends when `user` clicks a Work Object's button in its details. */
function entityAction(user: string, button: Button): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: t.slack.teamId },
    user: { id: user, team_id: t.slack.teamId },
    trigger_id: `trigger-${user}-${button.action_id}-${button.value}`,
    container: { type: 'entity_detail' },
    actions: [{ type: 'button', action_id: button.action_id, value: button.value, block_id: 'entity', action_ts: '1' }],
  };
}
