// The embeddable chat widget for the complaints assistant.
//
//   <script src="/static/dist/widget.js" data-provider="Riverside Health Centre"
//           data-colour="#005eb8" data-nation="england" data-rasa-url="http://localhost:5005"></script>
//
// Optional: data-exit-url (where "Leave this site quickly" goes), data-title.
//
// Rules kept throughout: message text (the bot's or the person's) only ever reaches the
// page through textContent / text nodes, never as HTML; links are not made clickable;
// custom markers ({"ask"}, {"routes"}, {"safety"}) are for machines and never shown; a drafted
// letter ({"letter": {"to", "subject", "body"}}) is shown as an editable text area (letter.js).

import css from './styles.css';
import { palette } from './colour.js';
import { letterLines, readLetter, renderLetter } from './letter.js';
import * as store from './store.js';
import { MAX_MESSAGE_CHARS, NetworkError, sendMessage } from './transport.js';

const NATIONS = new Set(['england', 'scotland', 'wales', 'northern_ireland']);
const DEFAULT_EXIT_URL = 'https://www.bbc.co.uk/weather';
const NOT_REACHED = 'We could not reach the assistant. Your message was not sent. Try again';
const FULLSCREEN_QUERY = '(max-width: 36em), (max-height: 32em)';
const WELCOME = [
  'Hello. I can help you work out where to take a concern about health or social care, and what to expect.',
  'Tell me what happened, in your own words. If you or someone else is in danger now, call 999.',
];

// ---------------------------------------------------------------- configuration

function httpUrl(value, fallback) {
  if (!value) return fallback;
  try {
    const u = new URL(value, window.location.href);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href.replace(/\/+$/, '');
  } catch (e) {
    // fall through
  }
  return fallback;
}

export function readConfig(script) {
  const d = (script && script.dataset) || {};
  const loc = window.location;
  const defaultRasa = `${loc.protocol === 'https:' ? 'https:' : 'http:'}//${loc.hostname || 'localhost'}:5005`;
  const nation = (d.nation || '').trim().toLowerCase().replace(/[\s-]+/g, '_');
  return {
    provider: (d.provider || '').trim() || 'this service',
    colour: (d.colour || d.color || '').trim(),
    nation: NATIONS.has(nation) ? nation : null,
    rasaUrl: httpUrl((d.rasaUrl || '').trim(), defaultRasa),
    exitUrl: httpUrl((d.exitUrl || '').trim(), DEFAULT_EXIT_URL),
    title: (d.title || '').trim() || 'Help with a concern',
  };
}

// ---------------------------------------------------------------- small DOM helpers

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'text') node.textContent = value;
    else if (key === 'className') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) node.append(child);
  return node;
}

function icon() {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('fill', 'currentColor');
  path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2zm2 5v2h12V8H6zm0 4v2h8v-2H6z');
  svg.append(path);
  return svg;
}

function today() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

// ---------------------------------------------------------------- the widget

export class ChatWidget {
  constructor(config) {
    this.config = config;
    this.state = store.load();
    this.queue = Promise.resolve();
    this.generation = 0;
    this.failed = null;
    this.busy = 0;
    this.build();
    this.restore();
  }

  // ----- building

  build() {
    const c = this.config;
    this.host = el('div', { id: 'complaints-assistant-widget', lang: 'en-GB' });
    this.shadow = this.host.attachShadow({ mode: 'open' });
    if ('adoptedStyleSheets' in Document.prototype && 'replaceSync' in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      this.shadow.adoptedStyleSheets = [sheet];
    } else {
      this.shadow.append(el('style', { text: css }));
    }

    this.root = el('div', { className: 'root', lang: 'en-GB' });
    this.shadow.append(this.root);
    document.body.append(this.host);

    const scratch = el('span', { hidden: true });
    this.root.append(scratch);
    const colours = palette(c.colour, scratch);
    scratch.remove();
    this.root.style.setProperty('--brand', colours.brand);
    this.root.style.setProperty('--on-brand', colours.onBrand);
    this.root.style.setProperty('--accent', colours.accent);

    this.launcher = el('button', { type: 'button', className: 'launcher', 'aria-haspopup': 'dialog' },
      [icon(), el('span', { text: c.title })]);

    this.titleEl = el('h2', { id: 'cw-title', className: 'title', text: c.title });
    this.closeBtn = el('button', { type: 'button', className: 'close', text: 'Close' });
    const header = el('div', { className: 'header' }, [
      el('div', { className: 'heading' }, [
        this.titleEl,
        el('p', { id: 'cw-provider', className: 'provider', text: c.provider }),
      ]),
      this.closeBtn,
    ]);

    this.exitBtn = el('button', { type: 'button', className: 'exit', text: 'Leave this site quickly' });
    const exitbar = el('div', { className: 'exitbar' }, [this.exitBtn]);

    this.restartBtn = el('button', { type: 'button', className: 'btn-secondary', text: 'Start again' });
    this.saveBtn = el('button', { type: 'button', className: 'btn-secondary', text: 'Save a copy' });
    const toolbar = el('div', { className: 'toolbar' }, [this.restartBtn, this.saveBtn]);

    this.log = el('div', {
      className: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Messages',
    });

    this.typing = el('div', { className: 'typing', 'aria-hidden': 'true', hidden: true }, [
      el('span', { className: 'dots' }, [el('span'), el('span'), el('span')]),
      el('span', { text: 'The assistant is replying' }),
    ]);
    this.status = el('div', { className: 'visually-hidden', role: 'status' });
    this.alertRegion = el('div', { role: 'alert' });

    this.replies = el('div', { className: 'replies', role: 'group', 'aria-label': 'Suggested replies', hidden: true });
    // Messages, then the typing indicator, any error and the quick replies scroll together, so the
    // quick replies sit under the question they answer. Focusable so it can be scrolled by keyboard.
    this.scroller = el('div', { className: 'scroller', role: 'region', 'aria-label': 'Conversation', tabindex: '0' },
      [this.log, this.typing, this.alertRegion, this.replies]);

    this.input = el('textarea', {
      id: 'cw-input', name: 'message', rows: '1', autocomplete: 'off', spellcheck: 'true',
      'aria-describedby': 'cw-hint',
    });
    this.inputError = el('span', { id: 'cw-error', className: 'error-text', hidden: true });
    this.sendBtn = el('button', { type: 'submit', className: 'btn-primary send', text: 'Send' });
    this.form = el('form', { className: 'form', novalidate: true }, [
      el('label', { className: 'label', for: 'cw-input', text: 'Your message' }),
      el('span', { id: 'cw-hint', className: 'hint', text: 'Enter sends. Shift and Enter starts a new line.' }),
      this.inputError,
      el('div', { className: 'row' }, [this.input, this.sendBtn]),
    ]);

    this.panel = el('div', {
      className: 'panel', role: 'dialog', 'aria-labelledby': 'cw-title', 'aria-describedby': 'cw-provider',
      hidden: true,
    }, [header, exitbar, toolbar, this.scroller, this.status, this.form]);

    this.root.append(this.launcher, this.panel);

    this.fullscreen = window.matchMedia ? window.matchMedia(FULLSCREEN_QUERY) : { matches: false };
    const syncModal = () => this.panel.setAttribute('aria-modal', this.fullscreen.matches ? 'true' : 'false');
    syncModal();
    if (this.fullscreen.addEventListener) this.fullscreen.addEventListener('change', syncModal);

    this.launcher.addEventListener('click', () => this.open(true));
    this.closeBtn.addEventListener('click', () => this.close());
    this.exitBtn.addEventListener('click', () => this.leave());
    this.restartBtn.addEventListener('click', () => this.restart());
    this.saveBtn.addEventListener('click', () => this.saveCopy());
    this.panel.addEventListener('keydown', (e) => this.onPanelKey(e));
    this.form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submitInput();
    });
    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.submitInput();
      }
    });
    this.input.addEventListener('input', () => {
      this.fitInput();
      if (this.input.getAttribute('aria-invalid') === 'true' && this.input.value.length <= MAX_MESSAGE_CHARS) {
        this.setInputError(null);
      }
    });
  }

  restore() {
    if (this.state.messages.length === 0) {
      for (const text of WELCOME) this.state.messages.push({ who: 'bot', text, urgent: false });
      store.save(this.state);
    }
    for (const m of this.state.messages) this.log.append(this.renderMessage(m));
    this.renderReplies();
    if (this.state.open) this.open(false);
  }

  setInputValue(text) {
    this.input.value = text;
    this.fitInput();
  }

  /** Grow the message box with its text (up to the CSS max-height). */
  fitInput() {
    this.input.style.height = '';
    if (this.input.value && this.input.scrollHeight > this.input.clientHeight) {
      this.input.style.height = `${this.input.scrollHeight + 4}px`;
    }
  }

  // ----- opening and closing

  open(moveFocus) {
    this.state.open = true;
    store.save(this.state);
    this.panel.hidden = false;
    this.launcher.hidden = true;
    this.scrollToEnd();
    if (moveFocus) this.input.focus();
  }

  close() {
    this.state.open = false;
    store.save(this.state);
    this.panel.hidden = true;
    this.launcher.hidden = false;
    this.launcher.focus();
  }

  onPanelKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      this.close();
      return;
    }
    if (e.key === 'Tab' && this.fullscreen.matches) {
      // The panel covers the whole window: keep focus inside it, so nothing hidden behind gets focus.
      const items = this.focusables();
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      const active = this.shadow.activeElement;
      if (e.shiftKey && (active === first || !this.panel.contains(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !this.panel.contains(active))) {
        e.preventDefault();
        first.focus();
      }
    }
  }

  focusables() {
    return Array.from(this.panel.querySelectorAll('button, textarea, [tabindex="0"]'))
      .filter((n) => !n.disabled && !n.closest('[hidden]'));
  }

  // ----- messages on screen

  renderMessage(m) {
    if (m.letter) {
      m.node = renderLetter(m, {
        el, root: this.root, announce: (text) => this.announce(text), changed: () => store.save(this.state),
      });
      return m.node;
    }
    const node = el('div', { className: `msg ${m.who === 'me' ? 'msg-me' : 'msg-bot'}${m.urgent ? ' msg-urgent' : ''}` });
    node.append(el('span', { className: 'visually-hidden', text: m.who === 'me' ? 'You said: ' : 'The assistant said: ' }));
    if (m.urgent) node.append(el('strong', { className: 'urgent-label', text: 'Important' }));
    node.append(document.createTextNode(m.text));
    m.node = node;
    return node;
  }

  addMessage(m) {
    this.state.messages.push(m);
    const node = this.renderMessage(m);
    this.log.append(node);
    return node;
  }

  removeMessage(m) {
    const i = this.state.messages.indexOf(m);
    if (i >= 0) this.state.messages.splice(i, 1);
    if (m.node) m.node.remove();
  }

  renderReplies() {
    this.replies.replaceChildren();
    for (const r of this.state.replies) {
      const b = el('button', { type: 'button', className: 'btn-secondary', text: r.title });
      b.addEventListener('click', () => this.send(r.payload, r.title, { fromInput: false }));
      this.replies.append(b);
    }
    this.replies.hidden = this.state.replies.length === 0;
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  scrollToShow(node) {
    // Show a new turn from its start when it is taller than the log, otherwise the end.
    const top = node.offsetTop - 8;
    const end = this.scroller.scrollHeight - this.scroller.clientHeight;
    this.scroller.scrollTop = Math.max(0, Math.min(top, end));
  }

  setTyping(on) {
    this.typing.hidden = !on;
    this.status.textContent = on ? 'The assistant is replying.' : '';
    if (on) this.scrollToEnd();
  }

  announce(text) {
    this.status.textContent = '';
    // A fresh text node in a new task so screen readers notice the change.
    setTimeout(() => {
      this.status.textContent = text;
    }, 50);
  }

  setInputError(text) {
    if (text) {
      this.inputError.textContent = text;
      this.inputError.hidden = false;
      this.input.setAttribute('aria-invalid', 'true');
      this.input.setAttribute('aria-describedby', 'cw-error cw-hint');
    } else {
      this.inputError.textContent = '';
      this.inputError.hidden = true;
      this.input.removeAttribute('aria-invalid');
      this.input.setAttribute('aria-describedby', 'cw-hint');
    }
  }

  showAlert(text, retry) {
    this.alertRegion.replaceChildren();
    const box = el('div', { className: 'alert' }, [el('p', { text })]);
    let button = null;
    if (retry) {
      button = el('button', { type: 'button', className: 'btn-primary', text: 'Try again' });
      button.addEventListener('click', () => this.retry());
      box.append(button);
    }
    this.alertRegion.append(box);
    return button;
  }

  clearAlert() {
    this.alertRegion.replaceChildren();
  }

  // ----- sending

  submitInput() {
    const text = this.input.value.trim();
    if (!text) {
      this.setInputError('Type your message first.');
      this.input.focus();
      return;
    }
    if (text.length > MAX_MESSAGE_CHARS) {
      this.setInputError(`Your message is too long: use ${MAX_MESSAGE_CHARS.toLocaleString('en-GB')} characters or fewer (it has ${text.length.toLocaleString('en-GB')}).`);
      this.input.focus();
      return;
    }
    this.setInputError(null);
    this.send(text, text, { fromInput: true });
  }

  /** Show what the person said, then send `payload` (queued behind any message still on its way). */
  send(payload, display, { fromInput }) {
    const focusWasInReplies = this.replies.contains(this.shadow.activeElement);
    const previousReplies = this.state.replies;
    this.clearAlert();
    this.failed = null;
    if (fromInput) this.setInputValue('');
    this.state.replies = [];
    this.renderReplies();
    if (focusWasInReplies || !this.shadow.activeElement) this.input.focus();
    const mine = { who: 'me', text: display, urgent: false };
    this.scrollToShow(this.addMessage(mine));
    store.save(this.state);
    const generation = this.generation;
    this.queue = this.queue.then(() => this.transmit(payload, display, mine, fromInput, previousReplies, generation));
    return this.queue;
  }

  async transmit(payload, display, mine, fromInput, previousReplies, generation) {
    if (generation !== this.generation) return;
    this.busy++;
    this.setTyping(true);
    let replies;
    let failure = null;
    try {
      replies = await sendMessage({
        rasaUrl: this.config.rasaUrl, sender: this.state.sender, message: payload, nation: this.config.nation,
      });
    } catch (e) {
      failure = e;
    } finally {
      this.busy--;
      if (this.busy === 0) this.setTyping(false);
    }
    if (generation !== this.generation) return; // the person started again meanwhile

    if (failure) {
      this.removeMessage(mine);
      if (fromInput && !this.input.value.trim()) this.setInputValue(display);
      if (!fromInput) {
        this.state.replies = previousReplies;
        this.renderReplies();
      }
      store.save(this.state);
      const canRetry = failure instanceof NetworkError || (failure.status || 0) >= 500;
      const text = failure instanceof NetworkError ? NOT_REACHED : failure.message;
      this.failed = canRetry ? { payload, display, fromInput } : null;
      const retryBtn = this.showAlert(text, canRetry);
      if (!this.panel.hidden && this.focusIsOurs()) (retryBtn || this.input).focus();
      return;
    }

    const first = this.showBotTurn(replies);
    store.save(this.state);
    if (first) this.scrollToShow(first);
    else this.scrollToEnd();
    this.focusAfterReply();
  }

  retry() {
    const f = this.failed;
    if (!f) return;
    if (f.fromInput && this.input.value.trim() === f.display) this.setInputValue('');
    this.send(f.payload, f.display, { fromInput: false });
  }

  /** Add one turn of bot messages; returns the first new node. */
  showBotTurn(items) {
    const fresh = [];
    let replies = null;
    let urgentNext = false;
    for (const item of Array.isArray(items) ? items : []) {
      if (!item || typeof item !== 'object') continue;
      if (typeof item.text === 'string' && item.text.trim()) {
        fresh.push({ who: 'bot', text: item.text, urgent: urgentNext });
        urgentNext = false;
      }
      if (Array.isArray(item.buttons)) {
        replies = item.buttons
          .filter((b) => b && (typeof b.payload === 'string' || typeof b.title === 'string'))
          .map((b) => {
            const title = typeof b.title === 'string' && b.title.trim() ? b.title : String(b.payload);
            const payload = typeof b.payload === 'string' && b.payload.trim() ? b.payload : title;
            return { title, payload };
          });
      }
      // Custom markers are for machines; only "safety" changes what people see, and a letter is shown.
      if (item.custom && typeof item.custom === 'object' && item.custom.safety === true) {
        if (fresh.length) fresh[fresh.length - 1].urgent = true;
        else urgentNext = true;
      }
      const letter = item.custom && typeof item.custom === 'object' ? readLetter(item.custom.letter) : null;
      if (letter) fresh.push({ who: 'bot', text: '', urgent: false, letter });
    }
    let first = null;
    for (const m of fresh) {
      const node = this.addMessage(m);
      if (!first) first = node;
    }
    this.state.replies = replies || [];
    this.renderReplies();
    return first;
  }

  focusIsOurs() {
    const active = document.activeElement;
    return !active || active === document.body || active === this.host;
  }

  focusAfterReply() {
    if (this.panel.hidden || !this.focusIsOurs()) return;
    if (this.input.value.trim()) return; // the person is already typing the next message
    const firstReply = this.replies.querySelector('button');
    (firstReply || this.input).focus();
  }

  // ----- the controls

  restart() {
    this.generation++;
    this.failed = null;
    store.clear();
    this.state = store.emptyState();
    this.state.open = true;
    this.log.replaceChildren();
    this.clearAlert();
    this.setInputError(null);
    this.setInputValue('');
    for (const text of WELCOME) this.addMessage({ who: 'bot', text, urgent: false });
    this.renderReplies();
    store.save(this.state);
    this.scrollToEnd();
    this.announce('You have started a new conversation.');
    this.input.focus();
  }

  transcript() {
    const saved = new Date().toLocaleString('en-GB', { dateStyle: 'long', timeStyle: 'short' });
    const lines = [
      `Conversation with the assistant for concerns and complaints (${this.config.provider})`,
      `Saved ${saved}`,
      '',
    ];
    for (const m of this.state.messages) {
      if (m.letter) {
        lines.push(...letterLines(m.letter), '');
        continue;
      }
      const who = m.who === 'me' ? 'You' : 'Assistant';
      lines.push(`${who}: ${m.urgent ? '[Important] ' : ''}${m.text}`, '');
    }
    return lines.join('\r\n');
  }

  saveCopy() {
    const blob = new Blob([this.transcript()], { type: 'text/plain;charset=utf-8' });
    const url = URL.createObjectURL(blob);
    const a = el('a', { href: url, download: `conversation-${today()}.txt`, hidden: true });
    this.root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    this.announce('A copy of the conversation is downloading as a text file.');
  }

  leave() {
    this.generation++;
    store.clear();
    this.log.replaceChildren();
    this.panel.hidden = true;
    this.launcher.hidden = true;
    window.location.replace(this.config.exitUrl);
  }
}

// ---------------------------------------------------------------- start-up

function currentScript() {
  return document.currentScript
    || document.querySelector('script[data-provider][src*="widget"]')
    || document.querySelector('script[src*="widget.js"]');
}

function start(script) {
  if (window.__complaintsWidget) return;
  window.__complaintsWidget = new ChatWidget(readConfig(script));
}

const script = currentScript();
if (document.body) start(script);
else document.addEventListener('DOMContentLoaded', () => start(script), { once: true });
