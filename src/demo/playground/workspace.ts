import type { OpenedView, SlackApiEmulator, SlackMessage } from '../../standins/slack/emulator.ts';
import { INTERCOM_APP_HOSTS } from '../../unfurls/intercom-links.ts';
import type { BotLink } from './bot-link.ts';
import {
  type Actor,
  appHomeOpened,
  blockActions,
  type Clicked,
  type Container,
  type InputValue,
  messageEvent,
  newTriggerId,
  slashCommand,
  viewSubmission,
} from './slack-payloads.ts';
import { dmChannel, SUPPORT_CHANNEL, teammate } from './teammates.ts';

/** A message only one person sees: chat.postEphemeral, or an answer to a slash command or a click. */
export interface Ephemeral {
  id: string;
  user: string;
  channel: string;
  threadTs?: string;
  /** Orders it among the channel's messages (a Slack ts taken when it arrived). */
  ts: string;
  text?: string;
  blocks?: unknown;
}

/** Where a click happened, as the page says it. */
export type ClickPlace =
  | { message: { channel: string; ts: string } }
  | { ephemeral: string }
  | { home: true }
  | { details: true };

/** The people's side of the playground: what they do (as signed Slack requests to the bot), and what only they see. */
export interface PlaygroundWorkspace {
  post(userId: string, channel: string, text: string, threadTs?: string): Promise<void>;
  click(userId: string, clicked: Clicked, place: ClickPlace): Promise<void>;
  submit(
    userId: string,
    triggerId: string,
    values: Record<string, Record<string, InputValue>>,
  ): Promise<{ ok: true } | { ok: false; errors: Record<string, string> }>;
  closeModal(userId: string, triggerId: string): void;
  openHome(userId: string): Promise<void>;
  ephemeralsFor(userId: string): Ephemeral[];
  /** Opens the details of an unfurled entity (`<channel>|<ts>|<entity id>`): Slack asks the bot, for this person. */
  openDetails(userId: string, ref: string): Promise<void>;
  closeDetails(userId: string): void;
  /** The trigger_id of the details pane this person has open, whose answer the Slack stand-in keeps. */
  detailsFor(userId: string): string | undefined;
  /** Asks again for every open details pane (Intercom changed: Slack's pane would show it on reopening). */
  refreshDetails(): Promise<void>;
  /** The modal the bot opened for this person's latest click, until they submit or close it. */
  modalFor(userId: string): { triggerId: string; opened: OpenedView } | undefined;
  stop(): void;
}

interface ResponseTarget {
  user: string;
  channel: string;
  threadTs?: string;
  /** The ephemeral message a click came from: `replace_original` replaces it. */
  source?: string;
}

export function createPlaygroundWorkspace(deps: {
  slack: SlackApiEmulator;
  bot: BotLink;
  now: () => number;
}): PlaygroundWorkspace {
  const { slack, bot } = deps;
  const ephemerals: Ephemeral[] = [];
  const targets = new Map<string, ResponseTarget>();
  const triggers: Array<{ user: string; triggerId: string }> = [];
  const dismissed = new Set<string>();
  /** Per person: the entity whose details are open, and the trigger_id of the latest request for them. */
  const details = new Map<string, { ref: string; triggerId?: string }>();
  let seenEphemerals = 0;
  let seenResponses = 0;
  let counter = 0;

  const actor = (userId: string): Actor => {
    const person = teammate(userId);
    if (!person) throw new Error(`unknown teammate ${userId}`);
    return { userId, userName: person.name, teamId: slack.teamId };
  };
  const trigger = (user: string) => {
    const triggerId = newTriggerId(deps.now());
    triggers.push({ user, triggerId });
    return triggerId;
  };
  const responseUrl = (target: ResponseTarget) => {
    const id = `demo-${++counter}`;
    targets.set(id, target);
    return slack.responseUrl(id);
  };

  /** Picks up what the bot sent since the last look: ephemeral posts and response_url answers, in arrival order. */
  const ingest = () => {
    for (const posted of slack.ephemerals.slice(seenEphemerals)) {
      ephemerals.push({ id: `e${++counter}`, ...posted, ts: slack.nextTs(), threadTs: posted.thread_ts });
    }
    seenEphemerals = slack.ephemerals.length;
    for (const { id, body } of slack.responses.slice(seenResponses)) {
      const target = targets.get(id);
      if (!target) continue;
      const source = ephemerals.find((e) => e.id === target.source);
      const content = {
        ...(typeof body.text === 'string' && { text: body.text }),
        ...(body.blocks !== undefined && { blocks: body.blocks }),
      };
      if (source && body.delete_original === true) ephemerals.splice(ephemerals.indexOf(source), 1);
      else if (source && body.replace_original === true) {
        source.text = content.text;
        source.blocks = content.blocks;
      } else {
        ephemerals.push({ id: `e${++counter}`, ...target, ts: slack.nextTs(), ...content });
      }
    }
    seenResponses = slack.responses.length;
  };
  const stopListening = slack.onChange(ingest);

  const command = async (userId: string, channel: string, text: string, threadTs?: string) => {
    const [name = '', ...rest] = text.trim().split(/\s+/);
    const ack = await bot.command(
      slashCommand({
        actor: actor(userId),
        channel,
        command: name,
        text: rest.join(' '),
        responseUrl: responseUrl({ user: userId, channel, threadTs }),
        triggerId: trigger(userId),
      }),
    );
    // An immediate answer comes back in the acknowledgement (an unknown command); the rest via response_url.
    if (typeof ack.text === 'string') {
      ephemerals.push({ id: `e${++counter}`, user: userId, channel, threadTs, ts: slack.nextTs(), text: ack.text });
    }
  };

  return {
    async post(userId, channel, typed, threadTs) {
      if (typed.trim().startsWith('/')) {
        await command(userId, channel, typed, threadTs);
        return;
      }
      // Slack clients send what people type with &, < and > escaped, and mentions as <@U…>.
      const escaped = typed.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
      const mentionPattern = /@(?:bot|intercom agent|intercom)\b/gi;
      const mention = mentionPattern.test(escaped);
      const text = escaped.replace(mentionPattern, `<@${slack.botUserId}>`);
      const ts = slack.nextTs();
      const message: SlackMessage = { channel, ts, user: userId, text, ...(threadTs && { thread_ts: threadTs }) };
      slack.seedMessage(message);
      const isDm = channel === dmChannel(userId);
      if (!isDm && channel !== SUPPORT_CHANNEL.id) throw new Error(`unknown channel ${channel}`);
      // Slack tells the app about links to its unfurl domains in any message, mentioned or not.
      const links = (typed.match(/https?:\/\/[^\s<>]+/g) ?? []).filter((url) => {
        try {
          return INTERCOM_APP_HOSTS.has(new URL(url).hostname);
        } catch {
          return false;
        }
      });
      if (links.length > 0) await bot.event(slack.shareLinks({ user: userId, channel, urls: links, threadTs, ts }));
      // In a channel the bot hears mentions, and (for follow-ups) replies in threads; in its DM, everything.
      if (isDm || mention || threadTs) {
        await bot.event(
          messageEvent({
            actor: actor(userId),
            channel,
            channelType: isDm ? 'im' : 'channel',
            ts,
            threadTs,
            text,
            mention,
          }),
        );
      }
    },

    async click(userId, clicked, place) {
      let container: Container;
      let target: ResponseTarget | undefined;
      if ('details' in place) {
        container = { type: 'entity' };
      } else if ('home' in place) {
        container = { type: 'view', viewId: `VHOME${userId}`, view: slack.homeOf(userId) ?? { type: 'home' } };
      } else if ('ephemeral' in place) {
        const source = ephemerals.find((e) => e.id === place.ephemeral && e.user === userId);
        if (!source) throw new Error('that message is gone');
        container = { type: 'ephemeral', channel: source.channel, messageTs: source.ts, threadTs: source.threadTs };
        target = { user: userId, channel: source.channel, threadTs: source.threadTs, source: source.id };
      } else {
        const message = slack.messagesIn(place.message.channel).find((m) => m.ts === place.message.ts);
        if (!message) throw new Error('that message is gone');
        container = {
          type: 'message',
          channel: message.channel,
          messageTs: message.ts,
          threadTs: message.thread_ts,
          // As Slack's payloads do: the message's own thread_ts, which says which thread a click belongs to.
          message: {
            type: 'message',
            text: message.text,
            blocks: message.blocks,
            user: message.user,
            bot_id: message.bot_id,
            ...(message.thread_ts && { thread_ts: message.thread_ts }),
          },
        };
        target = { user: userId, channel: message.channel, threadTs: message.thread_ts ?? message.ts };
      }
      await bot.interaction(
        blockActions({
          actor: actor(userId),
          clicked,
          container,
          triggerId: trigger(userId),
          responseUrl: target && responseUrl(target),
          now: deps.now(),
        }),
      );
    },

    async submit(userId, triggerId, values) {
      const owned = triggers.some((t) => t.user === userId && t.triggerId === triggerId);
      const opened = owned ? slack.openedView(triggerId) : undefined;
      if (!opened) throw new Error('no such modal');
      const ack = await bot.interaction(
        viewSubmission({ actor: actor(userId), viewId: opened.id, view: opened.view, values, triggerId }),
      );
      if (ack.response_action === 'errors' && ack.errors && typeof ack.errors === 'object') {
        return { ok: false, errors: ack.errors as Record<string, string> };
      }
      dismissed.add(triggerId);
      return { ok: true };
    },

    async openDetails(userId, ref) {
      const [channel, ts, id] = ref.split('|');
      const entity = slack.unfurls
        .findLast((u) => u.channel === channel && u.ts === ts)
        ?.entities?.find((e) => e.external_ref.id === id);
      if (!entity || !channel || !ts) throw new Error('that preview is gone');
      const event = slack.detailsRequest({
        user: userId,
        entity: entity as Parameters<typeof slack.detailsRequest>[0]['entity'],
        channel,
        messageTs: ts,
      });
      details.set(userId, { ref, triggerId: String(event.trigger_id) });
      await bot.event(event);
    },

    closeDetails(userId) {
      details.delete(userId);
    },

    detailsFor: (userId) => details.get(userId)?.triggerId,

    async refreshDetails() {
      await Promise.all([...details].map(([userId, { ref }]) => this.openDetails(userId, ref)));
    },

    closeModal(userId, triggerId) {
      if (triggers.some((t) => t.user === userId && t.triggerId === triggerId)) dismissed.add(triggerId);
    },

    async openHome(userId) {
      await bot.event(appHomeOpened(actor(userId), dmChannel(userId)));
    },

    ephemeralsFor: (userId) => ephemerals.filter((e) => e.user === userId),

    modalFor(userId) {
      for (const { user, triggerId } of [...triggers].reverse()) {
        if (user !== userId || dismissed.has(triggerId)) continue;
        const opened = slack.openedView(triggerId);
        if (opened) return { triggerId, opened };
      }
      return undefined;
    },

    stop: stopListening,
  };
}
