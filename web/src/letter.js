// A drafted complaint letter in the chat: an editable text area with Copy, Download (.txt and .rtf)
// and Print. The bot's {"custom": {"letter": {"to", "subject", "body"}}} marker becomes this card.
//
// Text only: the letter reaches the page as a text area's value and text nodes, never as HTML.
// Downloads are made in the browser (no CDN, no library): plain text, and Rich Text Format, which
// every word processor opens (Word, LibreOffice, Pages, WordPad) and which is plain text underneath,
// so the letter can be escaped completely and nothing in it can act as a command.

const MAX_CHARS = 20000;
let serial = 0;

/** A letter marker from the bot, checked: three strings (the body not empty), or null. */
export function readLetter(value) {
  if (!value || typeof value !== 'object') return null;
  const { to, subject, body } = value;
  if (typeof body !== 'string' || !body.trim()) return null;
  const str = (s) => (typeof s === 'string' ? s.slice(0, 500) : '');
  return { to: str(to), subject: str(subject), body: body.slice(0, MAX_CHARS) };
}

/** The letter as Rich Text Format: every character escaped, non-ASCII as \uN, lines as paragraphs. */
export function toRtf(text) {
  let out = '';
  for (const ch of String(text).replace(/\r\n?/g, '\n')) {
    const code = ch.codePointAt(0);
    if (ch === '\\' || ch === '{' || ch === '}') out += `\\${ch}`;
    else if (ch === '\n') out += '\\par\n';
    else if (ch === '\t') out += '\\tab ';
    else if (code < 0x20 || code === 0x7f) continue;
    else if (code < 0x80) out += ch;
    else if (code <= 0xffff) out += `\\u${code > 0x7fff ? code - 0x10000 : code}?`;
    else {
      const v = code - 0x10000;
      out += `\\u${0xd800 + (v >> 10) - 0x10000}?\\u${0xdc00 + (v & 0x3ff) - 0x10000}?`;
    }
  }
  return `{\\rtf1\\ansi\\ansicpg1252\\deff0\\uc1{\\fonttbl{\\f0\\fswiss Arial;}}\\f0\\fs24\\sa120 ${out}\\par\n}\n`;
}

function todayStamp() {
  const d = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Save `content` as a file called `name` (a link clicked inside the widget). */
function download(root, content, type, name) {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  root.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

/** Print only the letter: a hidden frame on the page holding its text, printed, then removed. */
function printText(text, title) {
  const frame = document.createElement('iframe');
  frame.setAttribute('title', 'Your letter, for printing');
  frame.setAttribute('aria-hidden', 'true');
  frame.setAttribute('tabindex', '-1');
  frame.dataset.complaintsPrint = '';
  frame.style.cssText = 'position:fixed;right:0;bottom:0;width:0;height:0;border:0;visibility:hidden;';
  document.body.append(frame);
  const doc = frame.contentDocument;
  doc.documentElement.lang = 'en-GB';
  doc.title = title || 'Letter';
  const pre = doc.createElement('pre');
  pre.style.cssText = 'white-space:pre-wrap;overflow-wrap:anywhere;font:11pt/1.45 Arial,sans-serif;margin:0;';
  pre.textContent = text;
  doc.body.append(pre);
  const win = frame.contentWindow;
  const remove = () => setTimeout(() => frame.remove(), 1000);
  win.addEventListener('afterprint', remove, { once: true });
  setTimeout(() => frame.remove(), 120000);
  win.focus();
  win.print();
}

async function copyText(textarea) {
  const text = textarea.value;
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (e) {
    // fall back to the selection
  }
  textarea.focus();
  textarea.select();
  try {
    return document.execCommand('copy');
  } catch (e) {
    return false;
  }
}

/**
 * The card for one letter message `m` ({who: 'bot', letter: {to, subject, body}}).
 * `el` builds elements, `announce` speaks a status, `changed` is called after an edit.
 */
export function renderLetter(m, { el, announce, changed, root }) {
  serial += 1;
  const id = `cw-letter-${serial}`;
  const letter = m.letter;
  const textarea = el('textarea', {
    id: `${id}-text`, className: 'letter-text', rows: '14', spellcheck: 'true',
    'aria-describedby': `${id}-to ${id}-hint`,
  });
  textarea.value = letter.body;
  // Kept as typed (sessionStorage is quick), so a reload or a closed panel never loses an edit.
  textarea.addEventListener('input', () => {
    letter.body = textarea.value.slice(0, MAX_CHARS);
    changed();
  });

  const stamp = todayStamp();
  const button = (text, action) => {
    const b = el('button', { type: 'button', className: 'btn-secondary', text });
    b.addEventListener('click', action);
    return b;
  };
  const actions = el('div', { className: 'letter-actions', role: 'group', 'aria-label': 'What to do with the letter' }, [
    button('Copy the letter', async () => {
      const ok = await copyText(textarea);
      announce(ok ? 'The letter is copied. You can paste it into an email or a document.'
        : 'Copying did not work. Select the letter and copy it with your keyboard or menu.');
    }),
    button('Download as text (.txt)', () => {
      download(root, textarea.value.replace(/\r?\n/g, '\r\n'), 'text/plain;charset=utf-8', `complaint-letter-${stamp}.txt`);
      announce('The letter is downloading as a text file.');
    }),
    button('Download for Word (.rtf)', () => {
      download(root, toRtf(textarea.value), 'application/rtf', `complaint-letter-${stamp}.rtf`);
      announce('The letter is downloading as a document for Word or another word processor.');
    }),
    button('Print the letter', () => {
      announce('Opening the print window for your letter.');
      printText(textarea.value, letter.subject);
    }),
  ]);

  const card = el('section', { className: 'letter', 'aria-labelledby': `${id}-h`, 'aria-live': 'off' }, [
    el('h3', { id: `${id}-h`, className: 'letter-title', text: 'Your draft letter' }),
    el('p', { id: `${id}-to`, className: 'letter-to', text: letter.to ? `To: ${letter.to}` : '' }),
    el('p', { className: 'letter-subject', text: letter.subject ? `Subject: ${letter.subject}` : '' }),
    el('label', { className: 'label', for: `${id}-text`, text: 'The letter (you can change it here)' }),
    el('span', { id: `${id}-hint`, className: 'hint', text: 'Fill in the parts in square brackets before you send it.' }),
    textarea,
    actions,
  ]);
  return card;
}

/** The letter as lines of the saved conversation. */
export function letterLines(letter) {
  return [`Assistant: Draft letter${letter.to ? ` to ${letter.to}` : ''}`, '', letter.body];
}
