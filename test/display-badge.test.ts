/**
 * The drawn badge image: accessible SVG (role, title, desc), escaped text, wrapped titles, logo only from a data:
 * URI, Welsh letters rendered by the bundled font (no system fonts), PNG via resvg; and buildCredential's
 * achievementImage option. Also: no source file uses raw HTML injection.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { buildCredential } from '../src/credential/annex1.js';
import { badgePng, badgeSvg, badgeText, rasterise } from '../src/display/badge.js';
import { textWidth } from '../src/display/fonts.js';
import { credentialView, type CredentialView } from '../src/display/view.js';
import { validateOpenBadgeSchema } from '../src/schema/validate-ob.js';
import { profile, record } from './display-helpers.js';

const ISSUER = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
// A 1×1 PNG, as a logo.
const LOGO = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';

interface Node { name: string; attributes: Record<string, string>; text: string; children: Node[] }

/** Parses SVG with a real XML parser into a small tree (fails on anything that is not well-formed XML). */
function parse(svg: string): Node {
  const parser = new SaxesParser({ xmlns: true });
  const stack: Node[] = [{ name: '#document', attributes: {}, text: '', children: [] }];
  parser.on('opentag', (tag: SaxesTagNS) => {
    const node: Node = { name: tag.local, attributes: Object.fromEntries(Object.values(tag.attributes).map((a) => [a.name, a.value])), text: '', children: [] };
    stack.at(-1)!.children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => { stack.at(-1)!.text += t; });
  parser.on('closetag', () => { stack.pop(); });
  parser.write(svg).close();
  return stack[0]!.children[0]!;
}
const all = (n: Node, name: string): Node[] => [...(n.name === name ? [n] : []), ...n.children.flatMap((c) => all(c, name))];
const textOf = (n: Node): string => n.text + n.children.map(textOf).join('');

function viewWith(change: (r: any, p: any) => void = () => {}): CredentialView {
  const r = structuredClone(record);
  const p = structuredClone(profile);
  change(r, p);
  return credentialView(buildCredential(p, r, { issuerId: ISSUER }));
}

/** Number of pixels with any ink (alpha > 0). */
const ink = (pixels: Buffer): number => { let n = 0; for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) n++; return n; };

let view: CredentialView;
beforeAll(() => { view = viewWith(); });

describe('badgeSvg', () => {
  it('is well-formed, accessible SVG naming the title, issuer, level and credits', () => {
    const root = parse(badgeSvg(view));
    expect(root.name).toBe('svg');
    expect(root.attributes.role).toBe('img');
    expect(root.attributes['aria-labelledby']).toBe('badge-title badge-desc');
    const [title] = all(root, 'title');
    expect(title?.attributes.id).toBe('badge-title');
    expect(textOf(title!)).toBe('Data Analytics for Public Health, from Example University of Northbridge');
    expect(textOf(all(root, 'desc')[0]!)).toBe('FHEQ level 7 · EQF level 7. 20 UK credits · 10 ECTS credits');
    const drawn = all(root, 'text').map(textOf).join(' | ');
    expect(drawn).toContain('FHEQ level 7 · EQF level 7');
    expect(drawn).toContain('20 UK credits · 10 ECTS credits');
    expect(drawn).toContain('Example University of Northbridge');
  });

  it('speaks Welsh when asked, keeping the credential\'s own text', () => {
    expect(badgeText(view, 'cy')).toEqual({
      title: 'Data Analytics for Public Health',
      issuer: 'Example University of Northbridge',
      level: 'Lefel 7 FHEQ · Lefel 7 EQF',
      credits: '20 credyd y DU · 10 credyd ECTS',
      accessibleName: 'Data Analytics for Public Health, gan Example University of Northbridge',
    });
    expect(parse(badgeSvg(view, { lang: 'cy' })).attributes.lang).toBe('cy');
  });

  it('embeds the logo only from a data: URI, never from a remote URL', () => {
    const remote = badgeSvg(view); // the example profile's logo is an https URL
    expect(all(parse(remote), 'image')).toEqual([]);
    expect(remote).not.toContain('https://www.northbridge.example.ac.uk/assets/logo.png');
    const withLogo = parse(badgeSvg(viewWith((_r, p) => { p.logo = LOGO; })));
    expect(all(withLogo, 'image').map((i) => i.attributes.href)).toEqual([LOGO]);
    // Another issuer's credential may carry anything; only image media types are embedded.
    const htmlLogo = { ...view, issuer: { ...view.issuer, logo: { url: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==', dataUri: true } } };
    expect(all(parse(badgeSvg(htmlLogo)), 'image')).toEqual([]);
  });

  it('escapes the credential\'s text and drops characters XML cannot carry', () => {
    const nasty = 'A <script>alert("x")</script> & \'quotes\' \u0001 end';
    // Record validation refuses control characters, so the text arrives as another issuer's signed credential would carry it.
    const credential = buildCredential(profile, record, { issuerId: ISSUER }) as any;
    credential.credentialSubject.achievement.name = nasty;
    const svg = badgeSvg(credentialView(credential));
    const root = parse(svg); // a real XML parser accepts it
    expect(all(root, 'script')).toEqual([]);
    expect(svg).not.toContain('<script');
    expect(textOf(all(root, 'title')[0]!)).toBe('A <script>alert("x")</script> & \'quotes\'  end, from Example University of Northbridge');
  });

  it('wraps a long title within the badge and cuts it with an ellipsis past four lines', () => {
    const long = 'Professional practice in social work with children, young people and families in community settings across Wales and the border counties';
    const root = parse(badgeSvg(viewWith((r) => { r.course.title = long; })));
    const titleText = all(root, 'text')[0]!;
    const lines = titleText.children.map(textOf);
    expect(lines.length).toBe(4);
    expect(lines.at(-1)).toMatch(/…$/);
    const size = Number(titleText.attributes['font-size']);
    for (const line of lines) expect(textWidth(line, 'semibold', size)).toBeLessThanOrEqual(600 - 2 * 64);
    expect(textOf(all(root, 'title')[0]!)).toContain(long); // the full title is still in the accessible name
    const short = all(parse(badgeSvg(viewWith((r) => { r.course.title = 'Python'; }))), 'text')[0]!;
    expect(short.children.map(textOf)).toEqual(['Python']);
  });

  it('draws other issuers\' badges from what they carry', () => {
    const other = credentialView({ credentialSubject: { achievement: { name: 'Teamwork' } }, issuer: { id: 'https://example.edu/issuers/1', name: 'Example University' } });
    const root = parse(badgeSvg(other));
    expect(textOf(all(root, 'title')[0]!)).toBe('Teamwork, from Example University');
    expect(textOf(all(root, 'desc')[0]!)).toBe('');
    expect(() => badgeSvg(credentialView({}))).not.toThrow();
  });

  it('keeps ids unique per badge with idPrefix', () => {
    const root = parse(badgeSvg(view, { idPrefix: 'b2"><x' }));
    expect(root.attributes['aria-labelledby']).toBe('b2x-title b2x-desc');
  });
});

describe('badgePng', () => {
  it('renders a PNG of the requested size, the same bytes every time', () => {
    const png = badgePng(view, { size: 300 });
    expect(Buffer.from(png.subarray(0, 8)).toString('hex')).toBe('89504e470d0a1a0a');
    expect(Buffer.from(png.subarray(16, 24)).readUInt32BE(0)).toBe(300); // IHDR width
    expect(Buffer.from(badgePng(view, { size: 300 })).equals(Buffer.from(png))).toBe(true);
    expect(() => badgePng(view, { size: 0 })).toThrow(RangeError);
  });

  it('renders the Welsh letters with the bundled font, and nothing from system fonts', () => {
    const glyph = (c: string) =>
      Buffer.from(rasterise(`<svg xmlns="http://www.w3.org/2000/svg" width="80" height="80"><text x="10" y="60" font-size="60" font-family="'Source Sans 3'">${c}</text></svg>`, 80).pixels);
    // A character the bundled font lacks draws its "missing glyph" box; with no system fonts, any two such are alike.
    const missing = glyph('\u{13000}');
    expect(glyph('\u{13001}').equals(missing)).toBe(true);
    expect(glyph('\u{1F600}').equals(missing)).toBe(true); // an emoji would come from a system font if one were loaded
    for (const c of ['ŵ', 'ŷ', 'Ŵ', 'Ŷ', 'ẁ', 'ẃ', 'ẅ', 'ỳ', 'â', 'ï']) {
      expect(ink(glyph(c)), c).toBeGreaterThan(50);
      expect(glyph(c).equals(missing), c).toBe(false);
    }
    expect(glyph('ŵ').equals(glyph('w'))).toBe(false); // the circumflex is drawn
  });

  it('draws a Welsh title', () => {
    const png = badgePng(viewWith((r) => { r.course.title = 'Gŵyl Ŷd: ẃ ẁ ẅ ỳ'; }), { size: 200 });
    expect(png.length).toBeGreaterThan(1000);
  });
});

describe('buildCredential achievementImage', () => {
  it('puts the given Image on achievement.image (URL or data: URI), and the result passes the OB schema', () => {
    const url = buildCredential(profile, record, { issuerId: ISSUER, achievementImage: { id: 'https://credentials.example.ac.uk/achievements/x/badge.png', caption: 'Badge' } });
    expect(url.credentialSubject.achievement.image).toEqual({ id: 'https://credentials.example.ac.uk/achievements/x/badge.png', type: 'Image', caption: 'Badge' });
    const svg = badgeSvg(credentialView(url));
    const data = buildCredential(profile, record, { issuerId: ISSUER, achievementImage: { id: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` } });
    expect(data.credentialSubject.achievement.image?.id).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(validateOpenBadgeSchema(data).valid).toBe(true);
    expect(credentialView(data).image?.dataUri).toBe(true);
  });

  it('defaults to the issuer logo and rejects an id that is not a URI', () => {
    expect(buildCredential(profile, record, { issuerId: ISSUER }).credentialSubject.achievement.image).toEqual({ id: profile.logo, type: 'Image' });
    expect(() => buildCredential(profile, record, { issuerId: ISSUER, achievementImage: { id: 'not a uri' } }))
      .toThrow(expect.objectContaining({ code: 'CREDENTIAL_INVALID', message: expect.stringContaining('achievementImage.id') }));
    expect(() => buildCredential(profile, record, { issuerId: ISSUER, achievementImage: { id: 'https://x.example/b.png', caption: 5 as never } }))
      .toThrow(expect.objectContaining({ code: 'CREDENTIAL_INVALID' }));
  });
});

describe('templates', () => {
  it('no source file injects raw HTML (dangerouslySetInnerHTML is forbidden)', () => {
    const src = path.resolve(import.meta.dirname, '..', 'src');
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = path.join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(ts|tsx|js|mjs)$/.test(f)) files.push(p);
      }
    };
    walk(src);
    expect(files.some((f) => f.endsWith('.tsx'))).toBe(true);
    const offenders = files.filter((f) => readFileSync(f, 'utf8').includes('dangerouslySetInnerHTML'));
    expect(offenders).toEqual([]);
  });
});
