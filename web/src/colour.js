// Colour helpers: parse a CSS colour, measure WCAG contrast, and pick colours that
// keep text at 4.5:1 or better whatever brand colour the provider gives.

export const DEFAULT_BRAND = '#005eb8';
const WHITE = [255, 255, 255];
const BLACK = [0, 0, 0];

/** [r, g, b] (0-255) from #rgb, #rrggbb or rgb()/rgba() text, or null. */
export function parseColour(text) {
  if (typeof text !== 'string') return null;
  const s = text.trim().toLowerCase();
  let m = /^#([0-9a-f]{3})$/.exec(s);
  if (m) return m[1].split('').map((c) => parseInt(c + c, 16));
  m = /^#([0-9a-f]{6})$/.exec(s);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16));
  m = /^rgba?\(\s*(\d{1,3})[\s,]+(\d{1,3})[\s,]+(\d{1,3})\s*(?:[,/]\s*([\d.]+%?)\s*)?\)$/.exec(s);
  if (m) {
    const alpha = m[4] === undefined ? 1 : m[4].endsWith('%') ? parseFloat(m[4]) / 100 : parseFloat(m[4]);
    if (alpha < 1) return null; // a see-through brand colour has no fixed contrast
    const rgb = [m[1], m[2], m[3]].map(Number);
    return rgb.every((v) => v <= 255) ? rgb : null;
  }
  return null;
}

/** Resolve any CSS colour (names too) through the browser; null when it is not a colour. */
export function resolveColour(text, scratch) {
  const direct = parseColour(text);
  if (direct || !text || !scratch) return direct;
  scratch.style.color = '';
  scratch.style.color = text;
  if (!scratch.style.color) return null;
  return parseColour(getComputedStyle(scratch).color);
}

function channel(v) {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

export function luminance([r, g, b]) {
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

export function contrast(a, b) {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

export function toHex(rgb) {
  return '#' + rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('');
}

/**
 * The widget's palette from the provider's colour:
 *  brand   - fills (launcher, header, the person's messages, send button)
 *  onBrand - text on brand: white or black, whichever reads better (always >= 4.58:1)
 *  accent  - brand-coloured text and borders on white; darkened until it reaches 4.5:1
 */
export function palette(colourText, scratch) {
  let brand = resolveColour(colourText, scratch);
  if (!brand) brand = parseColour(DEFAULT_BRAND);
  const onBrand = contrast(brand, WHITE) >= contrast(brand, BLACK) ? WHITE : BLACK;
  let accent = brand;
  for (let i = 0; i < 40 && contrast(accent, WHITE) < 4.5; i++) {
    accent = accent.map((v) => v * 0.9);
  }
  if (contrast(accent, WHITE) < 4.5) accent = parseColour(DEFAULT_BRAND); // cannot happen; belt and braces
  return {
    brand: toHex(brand),
    onBrand: toHex(onBrand),
    accent: toHex(accent),
    ratio: contrast(brand, onBrand),
  };
}
