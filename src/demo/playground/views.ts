import { escapeHtml } from '../../shared/escape.ts';
import type { SlackApiEmulator, SlackMessage } from '../../standins/slack/emulator.ts';
import { renderBlocks } from '../render/blocks.ts';
import { anchor, webHref } from '../render/html.ts';
import { renderMessage } from '../render/message.ts';
import type { RenderContext } from '../render/text.ts';
import { renderWorkObject } from '../render/work-object.ts';
import { BOT_NAME, dmChannel, SUPPORT_CHANNEL, TEAMMATES } from './teammates.ts';
import type { Ephemeral, PlaygroundWorkspace } from './workspace.ts';

export type Pane = 'support' | 'dm' | 'home' | 'intercom';

export interface PaneRequest {
  user: string;
  pane: Pane;
  /** The thread open beside the channel, by its root ts. */
  thread?: string;
}

/** What the page shows for one person, as HTML fragments rendered here (the page only places them). */
export interface RenderedView {
  title: string;
  main: string;
  thread?: string;
  modal?: { triggerId: string; html: string };
  /** The details pane of a Work Object this person opened, as the bot presented it to them. */
  details?: string;
}

export function renderContext(slack: SlackApiEmulator): RenderContext {
  return {
    userName: (id) => (id === slack.botUserId ? BOT_NAME : TEAMMATES.find((t) => t.id === id)?.name),
  };
}

export function renderView(
  request: PaneRequest,
  deps: { slack: SlackApiEmulator; workspace: PlaygroundWorkspace; intercom: () => string },
): RenderedView {
  const { slack, workspace } = deps;
  const context = renderContext(slack);
  const mine = workspace.ephemeralsFor(request.user);
  const modal = workspace.modalFor(request.user);
  const view: RenderedView = {
    title: '',
    main: '',
    ...(modal && { modal: { triggerId: modal.triggerId, html: renderModal(modal.opened.view, context) } }),
    ...(workspace.detailsFor(request.user) && { details: detailsHtml(slack, workspace.detailsFor(request.user)) }),
  };
  if (request.pane === 'home') {
    const home = slack.homeOf(request.user);
    return {
      ...view,
      title: `${BOT_NAME} · Home`,
      main: `<div class="home" data-view="home">${home ? renderBlocks(home.blocks, context) : '<p class="muted">Opening…</p>'}</div>`,
    };
  }
  if (request.pane === 'intercom')
    return { ...view, title: 'Intercom (sample workspace, read-only)', main: deps.intercom() };

  const channel = request.pane === 'dm' ? dmChannel(request.user) : SUPPORT_CHANNEL.id;
  const all = slack.messagesIn(channel);
  const roots = all.filter((m) => !m.thread_ts || m.thread_ts === m.ts);
  const replies = (ts: string) => all.filter((m) => m.thread_ts === ts && m.ts !== ts).length;
  const items = [
    ...roots.map((m) => ({ ts: m.ts, html: messageHtml(m, request.user, context, replies(m.ts), slack) })),
    ...mine
      .filter((e) => e.channel === channel && !e.threadTs)
      .map((e) => ({ ts: e.ts, html: ephemeralHtml(e, context) })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  const title = request.pane === 'dm' ? BOT_NAME : `# ${SUPPORT_CHANNEL.name}`;
  const empty =
    request.pane === 'dm'
      ? 'Message the bot here, e.g. <code>find john@acme.com</code>.'
      : 'Mention the bot, e.g. <code>@bot summarize the conversation with john@acme.com</code>.';
  const main = `<div class="messages" data-channel="${escapeHtml(channel)}">${
    items.map((i) => i.html).join('') || `<p class="muted">${empty}</p>`
  }</div>`;
  const root = request.thread ? all.find((m) => m.ts === request.thread) : undefined;
  if (!root) return { ...view, title, main };
  const thread = [
    ...slack
      .messagesIn(channel, root.ts)
      .map((m) => ({ ts: m.ts, html: messageHtml(m, request.user, context, 0, slack) })),
    ...mine
      .filter((e) => e.channel === channel && e.threadTs === root.ts)
      .map((e) => ({ ts: e.ts, html: ephemeralHtml(e, context) })),
  ].sort((a, b) => Number(a.ts) - Number(b.ts));
  return {
    ...view,
    title,
    main,
    thread: `<div class="messages" data-channel="${escapeHtml(channel)}" data-thread="${escapeHtml(root.ts)}">${thread
      .map((i) => i.html)
      .join('')}</div>`,
  };
}

function messageHtml(
  message: SlackMessage,
  viewer: string,
  context: RenderContext,
  replyCount: number,
  slack: SlackApiEmulator,
): string {
  const fromBot = Boolean(message.bot_id);
  const name = fromBot ? BOT_NAME : (context.userName(message.user ?? '') ?? message.user ?? 'someone');
  // Outside a DM only the person who asked sees a stream live; everyone else sees it once it is finished.
  const hidden = message.streaming && message.recipient_user_id && message.recipient_user_id !== viewer;
  const body = hidden ? '<div class="sk-typing" aria-label="writing">•••</div>' : renderMessage(message, context);
  const thread =
    replyCount > 0
      ? `<button type="button" class="thread-link" data-thread-ts="${escapeHtml(message.ts)}">${replyCount} ${
          replyCount === 1 ? 'reply' : 'replies'
        }</button>`
      : '';
  return `<div class="msg${fromBot ? ' from-bot' : ''}" data-channel="${escapeHtml(message.channel)}" data-ts="${escapeHtml(
    message.ts,
  )}">${avatar(name, fromBot)}<div class="msg-body"><div class="msg-head"><b>${escapeHtml(name)}</b>${
    fromBot ? ' <span class="app-tag">APP</span>' : ''
  }</div><div class="msg-content">${body}${unfurlHtml(slack, message, viewer)}</div>${thread}</div></div>`;
}

/** The app's latest unfurl of a message's links: Work Objects for everyone, or the connect prompt for the poster. */
function unfurlHtml(slack: SlackApiEmulator, message: SlackMessage, viewer: string): string {
  const unfurl = slack.unfurls.findLast((u) => u.channel === message.channel && u.ts === message.ts);
  if (!unfurl) return '';
  if (unfurl.userAuthRequired) {
    // Slack shows the app's invitation to connect only to the person who posted the link.
    if (message.user !== viewer) return '';
    const href = unfurl.userAuthUrl ? webHref(unfurl.userAuthUrl) : undefined;
    return `<div class="work-object muted">${escapeHtml(BOT_NAME)} can show a preview of this link once you connect your Intercom. ${
      href ? anchor(href, 'Connect Intercom') : ''
    }</div>`;
  }
  return (unfurl.entities ?? [])
    .map((entity) =>
      renderWorkObject(entity, { details: false, ref: `${message.channel}|${message.ts}|${entity.external_ref.id}` }),
    )
    .join('');
}

/** The details pane: what the bot presented to this person (their own Intercom's view), or that it is loading. */
function detailsHtml(slack: SlackApiEmulator, triggerId: string | undefined): string {
  const presented = triggerId ? slack.presentedDetails(triggerId) : undefined;
  const body = !presented
    ? '<p class="muted">Loading…</p>'
    : presented.entity
      ? renderWorkObject(presented.entity, { details: true })
      : presented.userAuthUrl
        ? `<p>Connect your own Intercom to see this conversation. ${
            webHref(presented.userAuthUrl) ? anchor(webHref(presented.userAuthUrl) as string, 'Connect Intercom') : ''
          }</p>`
        : `<p><b>${escapeHtml(presented.error?.custom_title ?? 'Not available')}</b></p><p>${escapeHtml(
            presented.error?.custom_message ?? '',
          )}</p>`;
  return `<div data-view="details">${body}</div>`;
}

function ephemeralHtml(ephemeral: Ephemeral, context: RenderContext): string {
  return `<div class="msg from-bot ephemeral" data-ephemeral-id="${escapeHtml(ephemeral.id)}">${avatar(
    BOT_NAME,
    true,
  )}<div class="msg-body"><div class="msg-head"><b>${escapeHtml(BOT_NAME)}</b> <span class="app-tag">APP</span> <span class="muted">Only visible to you</span></div><div class="msg-content">${renderMessage(
    ephemeral,
    context,
  )}</div></div></div>`;
}

function avatar(name: string, bot: boolean): string {
  return `<div class="avatar${bot ? ' bot' : ''}" aria-hidden="true">${bot ? '🤖' : escapeHtml(name.slice(0, 1))}</div>`;
}

function renderModal(view: Record<string, unknown>, context: RenderContext): string {
  const text = (value: unknown) => escapeHtml(String((value as { text?: unknown } | undefined)?.text ?? ''));
  const submit = view.submit
    ? `<button type="submit" class="sk-button primary" id="modal-submit">${text(view.submit)}</button>`
    : '';
  return `<form class="modal" id="modal-form"><div class="modal-title">${text(view.title)}</div><div class="modal-body">${renderBlocks(
    view.blocks,
    context,
  )}</div><div class="modal-foot"><button type="button" class="sk-button" id="modal-close">${
    view.close ? text(view.close) : 'Close'
  }</button>${submit}</div></form>`;
}
