/**
 * Open Badges 3.0 baking: bake → unbake → verify is byte-exact for PNG and SVG, for Data Integrity and VC-JWT
 * credentials; badges baked by other implementations (Pillow, the 1EdTech validator's test images, the spec's own
 * examples) unbake; bad images get stable error codes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { bake } from '../src/baking/bake.js';
import { unbake } from '../src/baking/unbake.js';
import { credentialChunk } from '../src/baking/png.js';
import { badgePng, badgeSvg, rasterise } from '../src/display/badge.js';
import { credentialView } from '../src/display/view.js';
import { verify } from '../src/verify/verify.js';
import { formatReport } from '../src/verify/format.js';
import { issuedFull, type Issued } from './display-helpers.js';
import { controllerDocsFor, fixture, mapFetch, mapResolver } from './verify-helpers.js';

const FIXTURES = path.resolve(import.meta.dirname, 'fixtures', 'baking');
const file = (name: string) => new Uint8Array(readFileSync(path.join(FIXTURES, name)));
const NOW = new Date('2026-07-01T00:00:00Z');
const utf8 = (b: Uint8Array) => new TextDecoder('utf-8', { ignoreBOM: true }).decode(b);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

let issued: Issued;
let png: Uint8Array;
let svg: Uint8Array;

beforeAll(async () => {
  issued = await issuedFull();
  const view = credentialView(issued.di);
  png = badgePng(view, { size: 240 });
  svg = new TextEncoder().encode(badgeSvg(view));
});

/** Chunk types of a PNG, in order. */
function chunkTypes(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = Buffer.from(bytes).readUInt32BE(at);
    out.push(Buffer.from(bytes.subarray(at + 4, at + 8)).toString('latin1'));
    at += 12 + length;
  }
  return out;
}

/** The root element's children and attributes, by a real XML parser. */
function svgShape(bytes: Uint8Array): { rootAttributes: Record<string, string>; children: { name: string; uri: string }[] } {
  const parser = new SaxesParser({ xmlns: true });
  let depth = 0;
  let rootAttributes: Record<string, string> = {};
  const children: { name: string; uri: string }[] = [];
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    if (depth === 1) rootAttributes = Object.fromEntries(Object.values(tag.attributes).map((a) => [a.name, a.value]));
    if (depth === 2) children.push({ name: tag.local, uri: tag.uri });
  });
  parser.on('closetag', () => { depth--; });
  parser.write(utf8(bytes)).close();
  return { rootAttributes, children };
}

/** Renders a PNG through resvg (an independent PNG decoder) and counts the pixels with ink. */
function decodedInk(pngBytes: Uint8Array): number {
  const href = `data:image/png;base64,${Buffer.from(pngBytes).toString('base64')}`;
  const pixels = rasterise(`<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><image width="64" height="64" href="${href}"/></svg>`, 64).pixels;
  let n = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) n++;
  return n;
}

describe('round trips (bake → unbake → verify), byte-exact', () => {
  it.each(['png', 'svg'] as const)('%s with the Data Integrity credential', async (kind) => {
    const image = kind === 'png' ? png : svg;
    const baked = bake(image, issued.di);
    const out = unbake(baked);
    expect(out.image).toBe(kind);
    expect(out.format).toBe('json');
    expect(out.text).toBe(JSON.stringify(issued.di));
    expect(out.credential).toEqual(issued.di);
    const report = await verify(out.credential, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.format).toBe('di');
  });

  it.each(['png', 'svg'] as const)('%s with the VC-JWT', async (kind) => {
    const baked = bake(kind === 'png' ? png : svg, issued.jwt);
    const out = unbake(baked);
    expect(out).toEqual({ image: kind, format: 'jwt', text: issued.jwt, credential: issued.jwt });
    const report = await verify(out.credential, { now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
    expect(report.format).toBe('jwt');
  });

  it('bakes JSON text byte for byte (pretty-printed, with "]]>" and non-ASCII in a value)', () => {
    const credential = { ...issued.unsigned, description: 'Marwolaeth ]]> a ŵyr ✓ <b>&amp;</b>' };
    const text = `${JSON.stringify(credential, null, 2)}\n`;
    for (const image of [png, svg]) {
      const out = unbake(bake(image, text));
      expect(out.text).toBe(text);
      expect(out.credential).toEqual(credential);
    }
  });

  it('PNG: inserts one iTXt chunk right after IHDR and leaves every other byte as it was', () => {
    const baked = bake(png, issued.jwt);
    expect(chunkTypes(baked)).toEqual(['IHDR', 'iTXt', ...chunkTypes(png).slice(1)]);
    const ihdrEnd = 8 + 25;
    const inserted = 12 + Buffer.from(baked).readUInt32BE(ihdrEnd);
    expect(hex(baked.subarray(0, ihdrEnd))).toBe(hex(png.subarray(0, ihdrEnd)));
    expect(hex(baked.subarray(ihdrEnd + inserted))).toBe(hex(png.subarray(ihdrEnd)));
    // The chunk is exactly the one OB 3.0 prescribes: keyword, NUL, flag 0, method 0, empty language and translated keyword.
    const data = Buffer.from(baked.subarray(ihdrEnd + 8, ihdrEnd + inserted - 4));
    expect(data.subarray(0, 24).toString('latin1')).toBe('openbadgecredential\0\0\0\0\0');
    expect(data.subarray(24).toString('utf8')).toBe(issued.jwt);
    // resvg still decodes the baked image, pixel for pixel as before.
    expect(decodedInk(baked)).toBe(decodedInk(png));
    expect(decodedInk(baked)).toBeGreaterThan(0);
  });

  it('SVG: declares the namespace and puts the element first in the root, changing nothing else', () => {
    const baked = bake(svg, issued.jwt);
    const shape = svgShape(baked);
    expect(shape.rootAttributes['xmlns:openbadges']).toBe('https://purl.imsglobal.org/ob/v3p0');
    expect(shape.children[0]).toEqual({ name: 'credential', uri: 'https://purl.imsglobal.org/ob/v3p0' });
    expect(shape.children.slice(1)).toEqual(svgShape(svg).children);
    const bakedText = utf8(baked);
    const restored = bakedText
      .replace(' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"', '')
      .replace(`<openbadges:credential verify="${issued.jwt}"></openbadges:credential>`, '');
    expect(restored).toBe(utf8(svg));
    expect(Buffer.from(rasterise(bakedText, 120).pixels).equals(Buffer.from(rasterise(utf8(svg), 120).pixels))).toBe(true);
  });

  it('SVG: handles a self-closing root, a prefixed root, a BOM and characters outside the BMP before the root', () => {
    const cases = [
      '<svg xmlns="http://www.w3.org/2000/svg"/>',
      '<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:rect width="1" height="1"/></s:svg>',
      '\uFEFF<?xml version="1.0"?>\n<!-- 😀 emoji and ŵ before the root -->\n<svg xmlns="http://www.w3.org/2000/svg" width="1"><g/></svg>\n',
    ];
    for (const source of cases) {
      const baked = bake(source, issued.di);
      expect(unbake(baked).text).toBe(JSON.stringify(issued.di));
      expect(svgShape(baked).children[0]?.name).toBe('credential');
      const text = utf8(baked);
      expect(text.startsWith(source.slice(0, source.indexOf('<svg') >= 0 ? source.indexOf('<svg') : source.indexOf('<s:svg')))).toBe(true);
    }
  });

  it('replaces an existing credential only when asked', () => {
    for (const image of [png, svg]) {
      const baked = bake(image, issued.jwt);
      expect(() => bake(baked, issued.di)).toThrow(expect.objectContaining({ code: 'BADGE_ALREADY_BAKED' }));
      const replaced = bake(baked, issued.di, { replace: true });
      expect(unbake(replaced).format).toBe('json');
      expect(hex(replaced)).toBe(hex(bake(image, issued.di)));
    }
  });
});

describe('badges baked by other implementations unbake', () => {
  const diText = readFileSync(path.resolve(import.meta.dirname, 'fixtures', 'verify', 'ob30-rendered-spec-2-basic.eddsa-rdfc-2022.json'), 'utf8');
  const jwtVector = fixture<{ vectors: { compactJws: string }[] }>('ob30-rendered-spec-vc-jwt-rs256-vectors.json').vectors[1]!.compactJws;

  it.each(['pillow-json.png', 'pillow-json-compressed.png'])('%s (Pillow): the spec renderer\'s signed credential, which verifies', async (name) => {
    const out = unbake(file(name));
    expect(out.format).toBe('json');
    expect(out.text).toBe(diText);
    const credential = out.credential as Record<string, unknown>;
    const report = await verify(credential, { resolver: mapResolver(controllerDocsFor(credential)), fetch: mapFetch({}), now: NOW });
    expect(report.verified, formatReport(report)).toBe(true);
  });

  it('pillow-jwt.png (Pillow): an RS256 VC-JWT, which verifies', async () => {
    const out = unbake(file('pillow-jwt.png'));
    expect(out).toMatchObject({ image: 'png', format: 'jwt', credential: jwtVector });
    const header = JSON.parse(Buffer.from(jwtVector.split('.')[0]!, 'base64url').toString());
    const report = await verify(out.credential, {
      resolver: mapResolver({}), fetch: mapFetch({ 'https://example.com/.well-known/jwks.json': { keys: [header.jwk] } }), now: NOW,
    });
    expect(report.checks.find((c) => c.id === 'proof')?.status).not.toBe('fail');
    expect(report.checks.find((c) => c.id === 'issuer-key')?.status).toBe('pass');
  });

  it('the 1EdTech validator\'s JSON SVG (CDATA with white space around it)', () => {
    const out = unbake(file('1edtech-validator-simple-json.svg'));
    expect(out.format).toBe('json');
    expect(out.credential).toMatchObject({ id: 'http://example.edu/credentials/3732', proof: [{ type: 'Ed25519Signature2020' }] });
  });

  it('the 1EdTech validator\'s JWT SVG (verify attribute)', () => {
    const out = unbake(file('1edtech-validator-simple-jwt.svg'));
    expect(out.format).toBe('jwt');
    const payload = JSON.parse(Buffer.from((out.credential as string).split('.')[1]!, 'base64url').toString());
    expect(payload.jti).toBe('http://example.edu/credentials/3732');
  });

  it('the specification\'s two SVG examples', () => {
    expect(unbake(file('ob30-spec-example-baked-jwt.svg'))).toMatchObject({ format: 'jwt', credential: 'header.payload.signature' });
    expect(unbake(file('ob30-spec-example-baked-json.svg'))).toMatchObject({ format: 'json', credential: { id: 'http://example.edu/credentials/3732', proof: {} } });
  });

  it('fixtures are what PROVENANCE.md says', () => {
    const provenance = readFileSync(path.join(FIXTURES, 'PROVENANCE.md'), 'utf8');
    for (const name of ['1edtech-validator-simple-json.svg', '1edtech-validator-simple-jwt.svg', 'ob30-spec-example-baked-json.svg',
      'ob30-spec-example-baked-jwt.svg', 'pillow-json.png', 'pillow-jwt.png', 'pillow-json-compressed.png']) {
      const sha = createHash('sha256').update(file(name)).digest('hex');
      expect(provenance, name).toContain(`| \`${name}\` | \`${sha}\` |`);
    }
  });
});

describe('bad images', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no error';
  };
  const svgWith = (body: string, attrs = '') => `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"${attrs}>${body}</svg>`;

  it('refuses what is not PNG or SVG', () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]);
    const gzip = Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0]);
    for (const image of [jpeg, gzip, 'just text', '<html><body/></html>', '<?xml version="1.0"?><rect/>']) {
      expect(code(() => unbake(image)), String(image)).toBe('BADGE_IMAGE_UNSUPPORTED');
      expect(code(() => bake(image, issued.jwt)), String(image)).toBe('BADGE_IMAGE_UNSUPPORTED');
    }
    expect(code(() => unbake('<?xml version="1.0" encoding="ISO-8859-1"?><svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe('BADGE_IMAGE_UNSUPPORTED');
  });

  it('refuses damaged PNGs and malformed XML', () => {
    const baked = bake(png, issued.jwt);
    const flipped = baked.slice();
    flipped[60] = flipped[60]! ^ 0xff; // inside the iTXt text
    expect(code(() => unbake(flipped))).toBe('BADGE_IMAGE_INVALID');
    expect(code(() => unbake(baked.subarray(0, baked.length - 20)))).toBe('BADGE_IMAGE_INVALID');
    expect(code(() => unbake('<svg xmlns="http://www.w3.org/2000/svg"><g></svg>'))).toBe('BADGE_IMAGE_INVALID');
    expect(code(() => unbake(Uint8Array.from([0x3c, 0x73, 0x76, 0x67, 0xff, 0xfe])))).toBe('BADGE_IMAGE_INVALID'); // not UTF-8
  });

  it('never resolves external entities and expands no declared entity', () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${svgWith('<openbadges:credential>&xxe;</openbadges:credential>')}`;
    expect(code(() => unbake(xxe))).toBe('BADGE_IMAGE_INVALID');
    let message = '';
    try { unbake(xxe); } catch (e) { message = (e as Error).message; }
    expect(message).not.toContain('root:');
    const laughs = `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${svgWith('<openbadges:credential>&c;</openbadges:credential>')}`;
    expect(code(() => unbake(laughs))).toBe('BADGE_IMAGE_INVALID');
  });

  it('says when an image carries no credential, or an Open Badges 2.0 assertion', () => {
    expect(code(() => unbake(png))).toBe('BADGE_NOT_BAKED');
    expect(code(() => unbake(svg))).toBe('BADGE_NOT_BAKED');
    const ob2Svg = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><openbadges:assertion verify="https://example.org/a.json"/></svg>';
    expect(() => unbake(ob2Svg)).toThrow(expect.objectContaining({ code: 'BADGE_NOT_BAKED', message: expect.stringContaining('Open Badges 2.0') }));
    // A credential element in another namespace is not an OB 3.0 credential.
    expect(code(() => unbake('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://example.org/other"><openbadges:credential verify="a.b.c"/></svg>'))).toBe('BADGE_NOT_BAKED');
  });

  it('refuses an image carrying more than one credential', () => {
    const baked = bake(png, issued.jwt);
    const twice = Buffer.concat([baked.subarray(0, 33), credentialChunk(issued.jwt), baked.subarray(33)]);
    expect(code(() => unbake(twice))).toBe('BADGE_MULTIPLE_CREDENTIALS');
    const two = svgWith('<openbadges:credential verify="a.b.c"/><g><openbadges:credential verify="d.e.f"/></g>');
    expect(code(() => unbake(two))).toBe('BADGE_MULTIPLE_CREDENTIALS');
  });

  it('refuses carried text that is neither JSON nor a compact JWT', () => {
    expect(code(() => unbake(svgWith('<openbadges:credential>not json</openbadges:credential>')))).toBe('BADGE_CREDENTIAL_INVALID');
    expect(code(() => unbake(svgWith('<openbadges:credential><![CDATA[[1,2]]]></openbadges:credential>')))).toBe('BADGE_CREDENTIAL_INVALID');
    expect(code(() => unbake(Buffer.concat([png.subarray(0, 33), credentialChunk('https://example.org/assertion.json'), png.subarray(33)])))).toBe('BADGE_CREDENTIAL_INVALID');
    expect(code(() => bake(png, 'hello'))).toBe('BADGE_CREDENTIAL_INVALID');
    expect(code(() => bake(png, 42 as never))).toBe('BADGE_CREDENTIAL_INVALID');
  });

  it('refuses an SVG that binds the openbadges prefix to another namespace', () => {
    expect(code(() => bake('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"/>', issued.jwt))).toBe('BADGE_IMAGE_INVALID');
  });

  it('enforces size limits, including on compressed chunks', () => {
    expect(code(() => unbake(png, { maxImageBytes: 100 }))).toBe('BADGE_TOO_LARGE');
    expect(code(() => bake(png, issued.di, { maxCredentialBytes: 1000 }))).toBe('BADGE_TOO_LARGE');
    expect(code(() => unbake(bake(svg, issued.di), { maxCredentialBytes: 1000 }))).toBe('BADGE_TOO_LARGE');
    // A small compressed chunk that inflates to 16 MiB is stopped at the credential limit.
    const bomb = deflateSync(Buffer.alloc(16 * 1024 * 1024, 0x20));
    const keyword = Buffer.from('openbadgecredential\0\x01\x00\0\0', 'latin1');
    const data = Buffer.concat([keyword, bomb]);
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(data, crc32(Buffer.from('iTXt'))));
    const bombed = Buffer.concat([png.subarray(0, 33), len, Buffer.from('iTXt'), data, crc, png.subarray(33)]);
    expect(code(() => unbake(bombed))).toBe('BADGE_TOO_LARGE');
    expect(() => unbake(png, { maxImageBytes: -1 })).toThrow(RangeError);
  });
});
