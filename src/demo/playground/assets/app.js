// The playground page: it asks the server for each pane's HTML (rendered there from the bot's Block Kit) and
// sends what people do back as actions, which the server turns into signed Slack requests to the bot.
const $ = (id) => document.getElementById(id);
const state = {
  user: localStorage.getItem('playground-user') || 'UALICE',
  pane: 'support',
  thread: null,
  modal: null,
};
let loading = null;
let again = false;

async function api(action, body = {}) {
  const response = await fetch(`/api/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user: state.user, ...body }),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(json.error || `failed (${response.status})`);
  return json;
}

function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => {
    el.hidden = true;
  }, 5000);
}

/** One fetch at a time; changes that arrive meanwhile cause one more. */
function refresh() {
  if (loading) {
    again = true;
    return loading;
  }
  const query = new URLSearchParams({ user: state.user, pane: state.pane });
  if (state.thread) query.set('thread', state.thread);
  const viewer = state.user;
  loading = fetch(`/api/view?${query}`)
    .then((r) => r.json())
    .then((view) => {
      apply(view);
      // Tells a watcher (the browser test) whose view is on screen now: a switch of person redraws asynchronously.
      document.body.dataset.viewer = viewer;
    })
    .catch((error) => toast(String(error)))
    .finally(() => {
      loading = null;
      if (again) {
        again = false;
        refresh();
      }
    });
  return loading;
}

/** Where the person just sent a message: that chat shows the newest message next, wherever it was scrolled. */
const sentIn = new Set();

/** Chats stay scrolled to the newest message (unless the person scrolled up); other panes open at the top. */
function replace(container, html, { fresh = false, chat = true } = {}) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 40;
  const sent = sentIn.delete(container.id);
  container.innerHTML = html;
  if (fresh) container.scrollTop = chat ? container.scrollHeight : 0;
  else if ((atBottom || sent) && chat) container.scrollTop = container.scrollHeight;
}

let shown = '';
let shownThread = null;

function apply(view) {
  $('title').textContent = view.title;
  const chat = state.pane === 'support' || state.pane === 'dm';
  const where = `${state.user} ${state.pane}`;
  replace($('main'), view.main, { fresh: where !== shown, chat });
  shown = where;
  $('composer').hidden = !chat;
  $('composer-text').placeholder =
    state.pane === 'dm'
      ? 'Message Intercom Agent (or /connect-intercom)'
      : 'Message #support: mention @bot, or try /connect-intercom';
  $('thread-pane').hidden = !(chat && view.thread);
  if (chat && view.thread) replace($('thread'), view.thread, { fresh: shownThread !== state.thread });
  shownThread = view.thread ? state.thread : null;
  // A Work Object's details, as the bot presented them to whoever is looking now.
  $('details-pane').hidden = !view.details;
  if (view.details) replace($('details'), view.details, { chat: false });
  for (const nav of document.querySelectorAll('.nav')) nav.classList.toggle('active', nav.dataset.pane === state.pane);
  const layer = $('modal-layer');
  if (!view.modal) {
    state.modal = null;
    layer.hidden = true;
    layer.innerHTML = '';
  } else if (state.modal !== view.modal.triggerId) {
    // Only a new modal is drawn: redrawing would throw away what the person is typing.
    state.modal = view.modal.triggerId;
    layer.innerHTML = view.modal.html;
    layer.hidden = false;
    layer.querySelector('textarea, input')?.focus();
  }
}

function confirmFirst(json) {
  const words = JSON.parse(json);
  $('confirm-title').textContent = words.title;
  $('confirm-text').innerHTML = words.text; // rendered and escaped by the server
  $('confirm-yes').textContent = words.confirm;
  $('confirm-deny').textContent = words.deny;
  $('confirm-layer').hidden = false;
  return new Promise((resolve) => {
    const done = (answer) => {
      $('confirm-layer').hidden = true;
      resolve(answer);
    };
    $('confirm-yes').onclick = () => done(true);
    $('confirm-deny').onclick = () => done(false);
  });
}

/** Where a click happened, as the server needs it to build the block_actions payload. */
function placeOf(element) {
  if (element.closest('[data-view="details"]')) return { details: true };
  const ephemeral = element.closest('[data-ephemeral-id]');
  if (ephemeral) return { ephemeral: ephemeral.dataset.ephemeralId };
  if (element.closest('[data-view="home"]')) return { home: true };
  const message = element.closest('.msg[data-ts]');
  return message ? { channel: message.dataset.channel, ts: message.dataset.ts } : null;
}

async function click(element, event) {
  const place = placeOf(element);
  if (!place) return;
  const confirm = element.dataset.confirm;
  if (confirm) {
    event.preventDefault();
    if (!(await confirmFirst(confirm))) return;
  }
  element.disabled = true;
  try {
    await api('click', {
      kind: element.dataset.kind,
      blockId: element.dataset.blockId,
      actionId: element.dataset.actionId,
      value: element.tagName === 'SELECT' ? element.value : element.dataset.value,
      text: element.tagName === 'SELECT' ? element.selectedOptions[0]?.textContent : element.textContent,
      ...place,
    });
  } catch (error) {
    toast(error.message);
  } finally {
    element.disabled = false;
  }
}

document.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  if (!target) return;
  const action = target.closest('[data-kind]');
  // A menu sends its choice when one is made (below), not when it is opened.
  if (action && action.tagName !== 'SELECT' && !action.closest('#modal-layer')) {
    // A URL button opens its link as well (the browser does that); the click still goes to the bot.
    click(action, event);
    return;
  }
  const opener = target.closest('[data-open-details]');
  if (opener) {
    api('details', { ref: opener.dataset.openDetails }).catch((error) => toast(error.message));
    return;
  }
  if (target.closest('#details-close')) {
    $('details-pane').hidden = true;
    api('close-details').catch((error) => toast(error.message));
    return;
  }
  const threadLink = target.closest('.thread-link');
  if (threadLink) {
    state.thread = threadLink.dataset.threadTs;
    refresh();
    return;
  }
  const nav = target.closest('.nav');
  if (nav) {
    state.pane = nav.dataset.pane;
    state.thread = null;
    if (state.pane === 'home') api('home').catch((error) => toast(error.message));
    refresh();
    return;
  }
  if (target.closest('#thread-close')) {
    state.thread = null;
    refresh();
    return;
  }
  if (target.closest('#modal-close')) {
    const triggerId = state.modal;
    $('modal-layer').hidden = true;
    api('close-modal', { triggerId }).catch((error) => toast(error.message));
  }
});

document.addEventListener('change', (event) => {
  const menu = event.target instanceof HTMLSelectElement ? event.target : null;
  if (!menu?.dataset.kind || menu.closest('#modal-layer') || !menu.value) return;
  click(menu, event).finally(() => {
    menu.value = '';
  });
});

$('modal-layer').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const values = {};
  for (const input of form.querySelectorAll('[data-block-id][data-action-id]')) {
    if (!('value' in input)) continue;
    values[input.dataset.blockId] ??= {};
    values[input.dataset.blockId][input.dataset.actionId] =
      input.tagName === 'SELECT' ? { selected: input.value } : input.value;
  }
  for (const slot of form.querySelectorAll('[data-error-for]')) slot.textContent = '';
  try {
    const result = await api('submit', { triggerId: state.modal, values });
    if (result.ok) {
      $('modal-layer').hidden = true;
      return;
    }
    for (const [blockId, message] of Object.entries(result.errors ?? {})) {
      const slot = form.querySelector(`[data-error-for="${CSS.escape(blockId)}"]`);
      if (slot) slot.textContent = message;
    }
  } catch (error) {
    toast(error.message);
  }
});

function composer(formId, inputId, thread, pane) {
  // As in Slack: Enter sends, Shift+Enter starts a new line (and Enter while an input method composes is its own).
  $(inputId).addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    $(formId).requestSubmit();
  });
  $(formId).addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $(inputId);
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    sentIn.add(pane);
    try {
      await api('message', { pane: state.pane, text, thread: thread() });
    } catch (error) {
      toast(error.message);
      input.value = text;
    }
  });
}
for (const button of document.querySelectorAll('[data-fault]')) {
  button.addEventListener('click', () =>
    api(button.dataset.fault).then(
      (result) => toast(result.message),
      (error) => toast(error.message),
    ),
  );
}
composer('composer', 'composer-text', () => undefined, 'main');
composer('thread-composer', 'thread-text', () => state.thread, 'thread');

async function start() {
  const info = await (await fetch('/api/info')).json();
  $('model-label').textContent = info.model;
  const select = $('user');
  for (const person of info.teammates) {
    const option = document.createElement('option');
    option.value = person.id;
    option.textContent = person.fullName;
    select.append(option);
  }
  if (!info.teammates.some((p) => p.id === state.user)) state.user = info.teammates[0].id;
  select.value = state.user;
  select.addEventListener('change', () => {
    state.user = select.value;
    state.modal = null;
    localStorage.setItem('playground-user', state.user);
    if (state.pane === 'home') api('home').catch((error) => toast(error.message));
    refresh();
  });
  new EventSource('/events').addEventListener('change', () => refresh());
  await refresh();
  document.body.dataset.ready = 'true';
}

start().catch((error) => toast(String(error)));
