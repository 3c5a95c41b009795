/**
 * The one typeface of every image and document microcred draws: Source Sans 3 (Adobe, SIL Open Font License 1.1),
 * loaded as TTF files from the `source-sans` npm package, never from the system, so output is the same on every
 * machine and Welsh letters (ŵ, ŷ, ẁ, ẃ, ẅ, ỳ) always have glyphs.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type fontkitModule from '@pdf-lib/fontkit';

export type FontWeight = 'regular' | 'semibold' | 'bold';

/** The family name inside the TTF files (what SVG `font-family` must say). */
export const FONT_FAMILY = 'Source Sans 3';

const FILES: Record<FontWeight, string> = {
  regular: 'SourceSans3-Regular.ttf',
  semibold: 'SourceSans3-Semibold.ttf',
  bold: 'SourceSans3-Bold.ttf',
};

const require = createRequire(import.meta.url);
const dir = path.join(path.dirname(require.resolve('source-sans/package.json')), 'TTF');

/** Absolute path of a font file. */
export function fontFile(weight: FontWeight): string {
  return path.join(dir, FILES[weight]);
}

const bytes = new Map<FontWeight, Uint8Array>();

/** The TTF bytes of a weight (read once per process). */
export function fontBytes(weight: FontWeight): Uint8Array {
  let b = bytes.get(weight);
  if (!b) {
    b = new Uint8Array(readFileSync(fontFile(weight)));
    bytes.set(weight, b);
  }
  return b;
}

interface Measurer {
  layout(text: string): { advanceWidth: number };
  unitsPerEm: number;
}

const measurers = new Map<FontWeight, Measurer>();

/** Width of `text` set in the weight at `size` (same units as size), with the font's own metrics and kerning. */
export function textWidth(text: string, weight: FontWeight, size: number): number {
  let m = measurers.get(weight);
  if (!m) {
    // Loaded at the first measurement: the font engine is tens of MiB that a service issuing and verifying never needs.
    const fontkit = require('@pdf-lib/fontkit') as typeof fontkitModule;
    m = fontkit.create(Buffer.from(fontBytes(weight))) as unknown as Measurer;
    measurers.set(weight, m);
  }
  return (m.layout(text).advanceWidth / m.unitsPerEm) * size;
}

/**
 * Breaks text into lines no wider than `maxWidth` (words first; a word wider than a line is split by characters).
 * Line breaks in the text are kept.
 */
export function wrapText(text: string, weight: FontWeight, size: number, maxWidth: number): string[] {
  return wrapMeasured(text, (s) => textWidth(s, weight, size), maxWidth);
}

/** {@link wrapText} with any measure of width (e.g. an embedded PDF font's own). */
export function wrapMeasured(text: string, width: (s: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const candidate = line === '' ? word : `${line} ${word}`;
      if (width(candidate) <= maxWidth) {
        line = candidate;
        continue;
      }
      if (line !== '') lines.push(line);
      line = '';
      // A word that does not fit on a line of its own is cut where it must be.
      let rest = [...word]; // by code point, so no surrogate pair is split
      while (rest.length > 1 && width(rest.join('')) > maxWidth) {
        // The longest head that fits (at least one character), by bisection: widths grow with length.
        let lo = 1;
        let hi = rest.length - 1;
        while (lo < hi) {
          const mid = Math.ceil((lo + hi) / 2);
          if (width(rest.slice(0, mid).join('')) <= maxWidth) lo = mid;
          else hi = mid - 1;
        }
        const cut = lo;
        lines.push(rest.slice(0, cut).join(''));
        rest = rest.slice(cut);
      }
      line = rest.join('');
    }
    lines.push(line);
  }
  return lines;
}
