/**
 * The badge image microcred draws for an achievement when the issuer has none: the issuer's logo, the title, the
 * level and the credits, as SVG (server-side JSX, so every text and attribute is escaped) and as PNG (resvg, with the
 * bundled font only). The learner is not on it: one image serves every credential for the same achievement, which is
 * what `achievement.image` is.
 *
 * Accessible: `role="img"` with a `<title>` (title and issuer) and a `<desc>` (level and credits). A logo is
 * embedded only when it is a `data:` URI of a raster or SVG image: the SVG never makes a viewer fetch anything.
 */
import { renderToString } from 'preact-render-to-string';
import { Resvg } from '@resvg/resvg-js';
import { FONT_FAMILY, fontFile, textWidth, wrapText, type FontWeight } from './fonts.js';
import { formatNumber, label, type Lang } from './i18n/index.js';
import type { CredentialView, ImageView } from './view.js';

export interface BadgeOptions {
  /** Language of microcred's own words on the badge (credits, level). Default `en`. */
  lang?: Lang;
  /** Prefix for the ids of `<title>`/`<desc>`, so several badges can sit inline on one page. Default `badge`. */
  idPrefix?: string;
}

export interface BadgePngOptions extends BadgeOptions {
  /** Width (and height) of the PNG in pixels. Default 600. */
  size?: number;
}

const SIZE = 600;
const MARGIN = 64;
const TEXT_WIDTH = (SIZE - 2 * MARGIN) * 0.92; // room for a slightly wider fallback font when the SVG is shown elsewhere
const BACKGROUND = '#0b3c5d';
const ACCENT = '#f2c14e';
const FOREGROUND = '#ffffff';
/** Logos larger than this stay out of the badge (the badge is embedded in every credential of the achievement). */
const MAX_LOGO_BYTES = 256 * 1024;
const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/svg+xml'];

/** Removes characters XML 1.0 cannot carry (C0 controls other than tab/line breaks, U+FFFE/U+FFFF, lone surrogates). */
function xmlSafe(text: string): string {
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '');
}

function embeddableLogo(logo: ImageView | undefined): string | undefined {
  if (!logo?.dataUri) return undefined;
  const m = /^data:([a-z0-9.+/-]+)(;[^,]*)?,/i.exec(logo.url);
  if (!m || !LOGO_TYPES.includes((m[1] as string).toLowerCase()) || logo.url.length > MAX_LOGO_BYTES * 1.4) return undefined;
  return logo.url;
}

interface Block {
  lines: string[];
  size: number;
  weight: FontWeight;
  fill: string;
  lineHeight: number;
}

/** Fits text into at most `maxLines` lines, shrinking the size down to `minSize`, then cutting with an ellipsis. */
function fit(text: string, weight: FontWeight, sizes: number[], maxLines: number, fill: string): Block {
  let size = sizes[0] as number;
  let lines: string[] = [];
  for (size of sizes) {
    lines = wrapText(text, weight, size, TEXT_WIDTH).filter((l) => l !== '');
    if (lines.length <= maxLines) break;
  }
  if (lines.length > maxLines) {
    lines = lines.slice(0, maxLines);
    let last = lines[maxLines - 1] as string;
    while (last.length > 1 && textWidth(`${last}…`, weight, size) > TEXT_WIDTH) last = [...last].slice(0, -1).join('').trimEnd();
    lines[maxLines - 1] = `${last}…`;
  }
  return { lines, size, weight, fill, lineHeight: Math.round(size * 1.18) };
}

const WEIGHTS: Record<FontWeight, number> = { regular: 400, semibold: 600, bold: 700 };

function BlockText({ block, top }: { block: Block; top: number }) {
  return (
    <text
      x={SIZE / 2}
      y={top}
      text-anchor="middle"
      font-family={`'${FONT_FAMILY}', 'Source Sans Pro', Arial, sans-serif`}
      font-size={block.size}
      font-weight={WEIGHTS[block.weight]}
      fill={block.fill}
    >
      {block.lines.map((line, i) => (
        <tspan x={SIZE / 2} dy={i === 0 ? 0 : block.lineHeight}>{line}</tspan>
      ))}
    </text>
  );
}

/**
 * The badge's parts in words, as they are drawn and read out (the accessible name is title and issuer).
 *
 * @example
 * ```ts
 * badgeText(credentialView(credential), 'cy').credits; // '20 credyd y DU · 10 credyd ECTS'
 * ```
 */
export function badgeText(view: CredentialView, lang: Lang = 'en'): { title: string; issuer?: string; level?: string; credits?: string; accessibleName: string } {
  const n = (v: number) => formatNumber(v, lang);
  const title = view.title ?? label(lang, 'badge.noTitle');
  const issuer = view.awardingBody?.name ?? view.issuer.name;
  const framework = view.level.frameworks.find((f) => f.framework !== undefined && f.level !== undefined && ['FHEQ', 'SCQF', 'RQF', 'CQFW'].includes(f.framework));
  const levels = [
    framework && (/^entry(\d)$/.test(framework.level as string)
      ? label(lang, 'value.level.entry', { framework: framework.framework as string, level: (framework.level as string).slice(5) })
      : label(lang, 'value.level.framework', { framework: framework.framework as string, level: framework.level as string })),
    view.level.eqf !== undefined ? label(lang, 'value.level.eqf', { level: n(view.level.eqf) }) : undefined,
  ].filter((x): x is string => x !== undefined);
  const { uk, ects, available } = view.credits;
  const credits = [
    uk !== undefined ? label(lang, 'value.credits.uk', { n: n(uk) }) : undefined,
    ects !== undefined ? label(lang, 'value.credits.ects', { n: n(ects) }) : undefined,
    uk === undefined && ects === undefined && available !== undefined ? label(lang, 'value.credits.unspecified', { n: n(available) }) : undefined,
  ].filter((x): x is string => x !== undefined);
  return {
    title,
    ...(issuer !== undefined ? { issuer } : {}),
    ...(levels.length > 0 ? { level: levels.join(' · ') } : {}),
    ...(credits.length > 0 ? { credits: credits.join(' · ') } : {}),
    accessibleName: issuer !== undefined ? label(lang, 'badge.accessibleName', { title, issuer }) : title,
  };
}

function Badge({ view, lang, idPrefix }: { view: CredentialView; lang: Lang; idPrefix: string }) {
  const words = badgeText(view, lang);
  const safe = (s: string | undefined) => (s === undefined ? undefined : xmlSafe(s));
  const logo = embeddableLogo(view.awardingBody?.logo ?? view.issuer.logo);
  const title = fit(safe(words.title) as string, 'semibold', [46, 40, 34], 4, FOREGROUND);
  const details = [safe(words.level), safe(words.credits)].filter((x): x is string => x !== undefined)
    .map((t, i) => fit(t, i === 0 ? 'semibold' : 'regular', [26, 22], 2, i === 0 ? ACCENT : FOREGROUND));
  const issuer = words.issuer !== undefined ? fit(safe(words.issuer) as string, 'regular', [24, 20], 2, FOREGROUND) : undefined;

  // Vertical layout: logo (or nothing) at the top, issuer at the bottom, title and details centred between.
  const logoBox = 132;
  const top = logo !== undefined ? MARGIN + logoBox + 28 : MARGIN + 24;
  const issuerHeight = issuer ? issuer.lineHeight * issuer.lines.length : 0;
  const bottom = SIZE - MARGIN - issuerHeight - 16;
  const heights = [title, ...details].map((b) => b.lineHeight * b.lines.length);
  const gap = 22;
  const total = heights.reduce((a, b) => a + b, 0) + gap * details.length;
  let y = top + Math.max(0, (bottom - top - total) / 2);
  const placed: { block: Block; top: number }[] = [];
  [title, ...details].forEach((block, i) => {
    placed.push({ block, top: y + block.size * 0.8 });
    y += (heights[i] as number) + gap;
  });
  const ruleY = placed[1] ? placed[1].top - (placed[1].block.size * 0.8) - gap / 2 : undefined;

  const titleId = `${idPrefix}-title`;
  const descId = `${idPrefix}-desc`;
  return (
    <svg
      xmlns="http://www.w3.org/2000/svg"
      width={SIZE}
      height={SIZE}
      viewBox={`0 0 ${SIZE} ${SIZE}`}
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      lang={lang === 'cy' ? 'cy' : 'en'}
    >
      <title id={titleId}>{safe(words.accessibleName)}</title>
      <desc id={descId}>{[words.level, words.credits].filter(Boolean).map((s) => safe(s)).join('. ')}</desc>
      <rect x="4" y="4" width={SIZE - 8} height={SIZE - 8} rx="56" fill={BACKGROUND} />
      <rect x="22" y="22" width={SIZE - 44} height={SIZE - 44} rx="42" fill="none" stroke={ACCENT} stroke-width="6" />
      {logo !== undefined && (
        <g>
          <rect x={(SIZE - logoBox) / 2} y={MARGIN} width={logoBox} height={logoBox} rx="20" fill={FOREGROUND} />
          <image
            x={(SIZE - logoBox) / 2 + 10}
            y={MARGIN + 10}
            width={logoBox - 20}
            height={logoBox - 20}
            preserveAspectRatio="xMidYMid meet"
            href={logo}
          />
        </g>
      )}
      {placed.map((p) => <BlockText block={p.block} top={p.top} />)}
      {ruleY !== undefined && <rect x={SIZE / 2 - 60} y={ruleY - 2} width="120" height="4" rx="2" fill={ACCENT} />}
      {issuer && <BlockText block={issuer} top={SIZE - MARGIN - issuerHeight + issuer.size * 0.8} />}
    </svg>
  );
}

/**
 * The badge image of a credential's achievement as SVG text (UTF-8, with an XML declaration), ready to serve as
 * `image/svg+xml`, to bake, or to put in `achievement.image` as a `data:` URI.
 *
 * @example
 * ```ts
 * const svg = badgeSvg(credentialView(credential), { lang: 'cy' });
 * const image = { id: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`, type: 'Image' };
 * ```
 */
export function badgeSvg(view: CredentialView, options: BadgeOptions = {}): string {
  const lang = options.lang ?? 'en';
  const idPrefix = (options.idPrefix ?? 'badge').replace(/[^A-Za-z0-9_-]/g, '') || 'badge';
  return `<?xml version="1.0" encoding="UTF-8"?>\n${renderToString(<Badge view={view} lang={lang} idPrefix={idPrefix} />)}\n`;
}

/**
 * The same badge as PNG bytes, rendered by resvg with the bundled font (no system fonts, nothing fetched).
 *
 * @example
 * ```ts
 * const png = badgePng(credentialView(credential), { size: 400 });
 * await writeFile('badge.png', png);
 * ```
 */
export function badgePng(view: CredentialView, options: BadgePngOptions = {}): Uint8Array {
  const size = Math.round(options.size ?? SIZE);
  if (!(size >= 16 && size <= 4096)) throw new RangeError(`size must be 16–4096 pixels; found ${options.size}`);
  return new Uint8Array(rasterise(badgeSvg(view, options), size).asPng());
}

/** Internal: renders SVG with resvg and the bundled font only (system fonts are never loaded; nothing is fetched). */
export function rasterise(svg: string, width: number): ReturnType<Resvg['render']> {
  return new Resvg(svg, {
    fitTo: { mode: 'width', value: width },
    font: {
      loadSystemFonts: false,
      fontFiles: [fontFile('regular'), fontFile('semibold'), fontFile('bold')],
      defaultFontFamily: FONT_FAMILY,
      sansSerifFamily: FONT_FAMILY,
    },
  }).render();
}
