// The conversation kept for this browser tab only (sessionStorage, never localStorage):
// it survives a reload and is gone when the tab is closed. A drafted letter is kept with it, as the
// person last edited it, so that a reload does not lose their changes.

import { readLetter } from './letter.js';

export const STORAGE_KEY = 'complaints-widget:v1';
const MAX_MESSAGES = 300;
const SENDER_RE = /^[A-Za-z0-9_.:@-]{1,128}$/;

function storage() {
  try {
    return window.sessionStorage;
  } catch (e) {
    return null; // storage blocked: the widget still works, it just forgets on reload
  }
}

export function newSenderId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return 'web-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function cleanMessage(m) {
  if (!m || typeof m.text !== 'string') return null;
  const who = m.who === 'me' ? 'me' : 'bot';
  const letter = who === 'bot' ? readLetter(m.letter) : null;
  if (letter) return { who, text: '', urgent: false, letter };
  return { who, text: m.text, urgent: m.urgent === true };
}

function cleanReply(r) {
  if (!r || typeof r.title !== 'string' || typeof r.payload !== 'string') return null;
  return { title: r.title, payload: r.payload };
}

export function emptyState() {
  return { sender: newSenderId(), messages: [], replies: [], open: false };
}

export function load() {
  const s = storage();
  if (!s) return emptyState();
  let raw = null;
  try {
    raw = JSON.parse(s.getItem(STORAGE_KEY) || 'null');
  } catch (e) {
    raw = null;
  }
  if (!raw || typeof raw !== 'object' || typeof raw.sender !== 'string' || !SENDER_RE.test(raw.sender)) {
    return emptyState();
  }
  return {
    sender: raw.sender,
    messages: (Array.isArray(raw.messages) ? raw.messages : []).map(cleanMessage).filter(Boolean),
    replies: (Array.isArray(raw.replies) ? raw.replies : []).map(cleanReply).filter(Boolean),
    open: raw.open === true,
  };
}

export function save(state) {
  const s = storage();
  if (!s) return;
  const data = {
    sender: state.sender,
    messages: state.messages.slice(-MAX_MESSAGES).map(({ who, text, urgent, letter }) => (
      letter ? { who, text, urgent: false, letter: { ...letter } } : { who, text, urgent: !!urgent })),
    replies: state.replies.map(({ title, payload }) => ({ title, payload })),
    open: state.open,
  };
  try {
    s.setItem(STORAGE_KEY, JSON.stringify(data));
  } catch (e) {
    // full or blocked: keep going without saving
  }
}

export function clear() {
  const s = storage();
  if (!s) return;
  try {
    s.removeItem(STORAGE_KEY);
  } catch (e) {
    // nothing to do
  }
}
