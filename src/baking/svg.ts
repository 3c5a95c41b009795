/**
 * SVG carrier (OB 3.0 §5.3.2): an `<openbadges:credential>` element in the `https://purl.imsglobal.org/ob/v3p0`
 * namespace directly after the `<svg>` start tag; a VC-JWT in its `verify` attribute, JSON in a CDATA section.
 *
 * The SVG is read with a real XML parser (saxes: namespace-aware, strict, never loads external entities or DTDs
 * and expands no entity it was not told about); baking edits the text only at the offsets the parser reports, so the
 * rest of the file stays byte for byte as it was. SVG is read as UTF-8 (the only encoding microcred accepts).
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { MicrocredError } from '../errors.js';

export const OB3_NAMESPACE = 'https://purl.imsglobal.org/ob/v3p0';
const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';
/** Open Badges 2.0's SVG namespace (its element is `assertion`). */
const OB2_NAMESPACE = 'http://openbadges.org';

interface CredentialElement {
  start: number;
  end: number;
  verify?: string;
  parts: { cdata: boolean; text: string }[];
}

interface SvgDocument {
  text: string;
  root: { name: string; start: number; startTagEnd: number; selfClosing: boolean; openbadgesPrefix?: string };
  credentials: CredentialElement[];
  ob2: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** True when the bytes start (after an optional BOM and white space) like XML markup. */
export function looksLikeXml(bytes: Uint8Array): boolean {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x09 || bytes[i] === 0x0a || bytes[i] === 0x0d)) i++;
  return bytes[i] === 0x3c; // '<'
}

function invalid(message: string): MicrocredError {
  return new MicrocredError('BADGE_IMAGE_INVALID', `This SVG cannot be read: ${message}`);
}

/** Parses the SVG; throws BADGE_IMAGE_UNSUPPORTED when the root is not an SVG element, BADGE_IMAGE_INVALID for bad XML. */
export function parseSvg(bytes: Uint8Array): SvgDocument {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalid('it is not valid UTF-8.');
  }
  const parser = new SaxesParser({ xmlns: true, position: true });
  let root: SvgDocument['root'] | undefined;
  const credentials: CredentialElement[] = [];
  let ob2 = false;
  let open: { element: CredentialElement; depth: number } | undefined;
  let depth = 0;
  let tagStart = 0;

  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && !/^utf-?8$/i.test(decl.encoding)) {
      throw new MicrocredError('BADGE_IMAGE_UNSUPPORTED', `This SVG declares the encoding ${decl.encoding}; only UTF-8 SVG is accepted.`);
    }
  });
  parser.on('opentagstart', (tag) => {
    // The parser has read "<" + name and one more character: the tag starts name.length + 2 characters back.
    tagStart = text.lastIndexOf(`<${tag.name}`, parser.position);
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    depth++;
    if (root === undefined) {
      if (tag.local !== 'svg' || tag.uri !== SVG_NAMESPACE) {
        throw new MicrocredError('BADGE_IMAGE_UNSUPPORTED', `This XML file is not an SVG image (its root element is <${tag.name}>).`);
      }
      root = { name: tag.name, start: tagStart, startTagEnd: parser.position, selfClosing: tag.isSelfClosing };
      const declared = tag.attributes['xmlns:openbadges'];
      if (declared !== undefined) root.openbadgesPrefix = declared.value;
    }
    if (tag.uri === OB2_NAMESPACE && tag.local === 'assertion') ob2 = true;
    if (tag.uri === OB3_NAMESPACE && tag.local === 'credential') {
      const verify = Object.values(tag.attributes).find((a) => a.local === 'verify' && a.uri === '')?.value;
      const element: CredentialElement = { start: tagStart, end: parser.position, parts: [], ...(verify !== undefined ? { verify } : {}) };
      credentials.push(element);
      if (!tag.isSelfClosing && open === undefined) open = { element, depth };
    }
  });
  parser.on('text', (t) => {
    if (open && depth === open.depth) open.element.parts.push({ cdata: false, text: t });
  });
  parser.on('cdata', (t) => {
    if (open && depth === open.depth) open.element.parts.push({ cdata: true, text: t });
  });
  parser.on('closetag', () => {
    if (open && depth === open.depth) {
      open.element.end = parser.position;
      open = undefined;
    }
    depth--;
  });
  try {
    parser.write(text).close();
  } catch (e) {
    if (e instanceof MicrocredError) throw e;
    throw invalid((e as Error).message);
  }
  if (root === undefined) throw new MicrocredError('BADGE_IMAGE_UNSUPPORTED', 'This file has no SVG element.');
  return { text, root, credentials, ob2 };
}

/** The one credential's carried text: the `verify` attribute (JWT) or the element's CDATA/text content. */
export function unbakeSvg(bytes: Uint8Array): string {
  const doc = parseSvg(bytes);
  if (doc.credentials.length > 1) {
    throw new MicrocredError('BADGE_MULTIPLE_CREDENTIALS', `This SVG carries ${doc.credentials.length} <openbadges:credential> elements; a baked badge carries exactly one credential.`);
  }
  const [element] = doc.credentials;
  if (element === undefined) {
    throw new MicrocredError('BADGE_NOT_BAKED', doc.ob2
      ? 'This SVG carries an Open Badges 2.0 assertion (<openbadges:assertion>), not an Open Badges 3.0 credential.'
      : `This SVG carries no credential (no <openbadges:credential> element in the ${OB3_NAMESPACE} namespace).`);
  }
  if (element.verify !== undefined && element.verify.trim() !== '') return element.verify.trim();
  // White space around a CDATA section (as in the specification's own example) is layout, not content.
  const hasCdata = element.parts.some((p) => p.cdata);
  const body = element.parts.filter((p) => p.cdata || p.text.trim() !== '').map((p) => p.text).join('');
  return hasCdata ? body : body.trim();
}

/** Puts text into CDATA, splitting any "]]>" it contains across two sections. */
function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

/** The SVG with the credential element right after the root start tag (and the namespace declared on the root). */
export function bakeSvg(bytes: Uint8Array, text: string, format: 'json' | 'jwt', replace: boolean): Uint8Array {
  const doc = parseSvg(bytes);
  if (doc.credentials.length > 0 && !replace) {
    throw new MicrocredError('BADGE_ALREADY_BAKED', 'This SVG already carries a credential; pass { replace: true } to replace it.');
  }
  const { root } = doc;
  if (root.openbadgesPrefix !== undefined && root.openbadgesPrefix !== OB3_NAMESPACE) {
    throw new MicrocredError('BADGE_IMAGE_INVALID', `This SVG binds the "openbadges" prefix to ${root.openbadgesPrefix}, not to ${OB3_NAMESPACE}.`);
  }
  if (XML_INVALID.test(text)) {
    throw new MicrocredError('BADGE_CREDENTIAL_INVALID', 'The credential text holds characters XML cannot carry; bake it as a JSON object instead.');
  }
  const element = format === 'jwt'
    ? `<openbadges:credential verify="${text}"></openbadges:credential>`
    : `<openbadges:credential>${cdata(text)}</openbadges:credential>`;
  const declaration = root.openbadgesPrefix === undefined ? ` xmlns:openbadges="${OB3_NAMESPACE}"` : '';

  // Edits, each at a parser-reported offset, applied from the end so earlier offsets stay valid.
  const edits: { at: number; remove: number; insert: string }[] = [];
  const nameEnd = root.start + 1 + root.name.length;
  if (declaration) edits.push({ at: nameEnd, remove: 0, insert: declaration });
  if (root.selfClosing) {
    const slash = doc.text.lastIndexOf('/', root.startTagEnd);
    edits.push({ at: slash, remove: root.startTagEnd - slash, insert: `>${element}</${root.name}>` });
  } else {
    edits.push({ at: root.startTagEnd, remove: 0, insert: element });
  }
  for (const c of doc.credentials) edits.push({ at: c.start, remove: c.end - c.start, insert: '' });
  let out = doc.text;
  // At one offset, the removal of an old credential goes before the insertion of the new one.
  for (const e of edits.sort((x, y) => y.at - x.at || y.remove - x.remove)) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return new TextEncoder().encode(out);
}
