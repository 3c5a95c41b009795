/**
 * microcred's profile schema as other verifiers meet it (plain JSON Schema that strict validators load, no `$id`),
 * the sentences that moved out of it into our code, and how our verifier recognises a claim to it (the served URLs
 * and the legacy w3id.org id) while always applying the bundled copy.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import Ajv2019Module from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { buildCredential } from '../src/credential/annex1.js';
import { issueCredential } from '../src/issue.js';
import { loadKeySet, type KeySet } from '../src/keyset/keyset.js';
import { EXAMPLE_KEYS_DIR, SCHEMAS_DIR } from '../src/lib/paths.js';
import { PROFILE_RULE_TEXTS, profileRuleText } from '../src/schema/profile-texts.js';
import {
  LEGACY_MICROCRED_PROFILE_SCHEMA_ID,
  claimsMicrocredProfile,
  isMicrocredProfileSchemaId,
  microcredProfileSchemaText,
  microcredProfileSchemaUrl,
  validateMicrocredProfile,
} from '../src/schema/validate-profile.js';
import { formatReport } from '../src/verify/format.js';
import { verify } from '../src/verify/verify.js';
import { mapFetch } from './verify-helpers.js';

type Json = Record<string, any>;
const FILE = path.join(SCHEMAS_DIR, 'microcred-profile.schema.json');
const schema = JSON.parse(readFileSync(FILE, 'utf8')) as Json;
const read = (rel: string) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
const SERVED = 'https://credentials.example.ac.uk/schemas/microcred-profile/v1.json';

// The bare ajv classes, not our wrapper: what another verifier would construct.
const Ajv2019 = ((Ajv2019Module as any).default ?? Ajv2019Module) as new (o: object) => any;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as (ajv: unknown) => void;

describe('the published profile schema', () => {
  it('loads in ajv 2019-09 full strict mode with no custom keywords (the old `expected` keyword is refused there)', () => {
    const strict = () => {
      const ajv = new Ajv2019({ strict: true, allErrors: true });
      addFormats(ajv);
      return ajv;
    };
    expect(() => strict().compile(schema)).not.toThrow();
    // The check can fail: the keyword the schema used to carry makes a strict validator refuse the whole schema.
    const old = structuredClone(schema);
    old.allOf[4].properties.validFrom.expected = 'the date of issuing (validFrom, a date-time)';
    expect(() => strict().compile(old)).toThrow(/unknown keyword: "expected"/);
  });

  it('has no $id (each deployment serves it at its own URL, which is its base URI) and the service serves this file', () => {
    expect(schema.$id).toBeUndefined();
    expect(schema.$schema).toBe('https://json-schema.org/draft/2019-09/schema');
    expect(JSON.stringify(schema)).not.toContain('w3id.org');
    expect(microcredProfileSchemaText()).toBe(readFileSync(FILE, 'utf8'));
  });

  it('its allOf entries are Annex I elements 1 to 11 in order (the texts are keyed by element)', () => {
    expect(schema.allOf.map((e: Json) => Number(/^Annex I element (\d+): /.exec(e.title)?.[1]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  /**
   * Every rule location: an element's allOf entry, then `properties`/nested `allOf` steps. A location that asserts
   * something about the value (anything beyond "an object with these fields") is a rule and needs a text.
   */
  function locations(): { element: number; path: string[]; node: Json; valueRule: boolean }[] {
    const out: { element: number; path: string[]; node: Json; valueRule: boolean }[] = [];
    const structural = new Set(['type', 'required', 'properties', 'allOf', 'title', 'description']);
    const visit = (element: number, p: string[], node: Json, top: boolean): void => {
      if (!top) {
        const valueRule = Object.keys(node).some((k) => !structural.has(k)) || (node.type !== undefined && node.type !== 'object');
        out.push({ element, path: p, node, valueRule });
      }
      for (const sub of node.allOf ?? []) visit(element, p, sub, true);
      for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, Json>)) visit(element, [...p, name], sub, false);
    };
    schema.allOf.forEach((entry: Json, i: number) => visit(i + 1, [], entry, true));
    return out;
  }

  it('every rule of the schema has its text, and every text belongs to a rule that exists', () => {
    const all = locations();
    const rules = all.filter((l) => l.valueRule);
    expect(rules.length).toBeGreaterThanOrEqual(14);
    const missing = rules.filter((r) => profileRuleText(r) === undefined).map((r) => `element ${r.element}: ${r.path.join('.')}`);
    expect(missing).toEqual([]);
    const samePath = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
    const stale = PROFILE_RULE_TEXTS.filter((t) => !all.some((l) => l.element === t.element && samePath(l.path, t.path)));
    expect(stale).toEqual([]);
    // One text per location.
    const keys = PROFILE_RULE_TEXTS.map((t) => JSON.stringify([t.element, t.path]));
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('texts in the messages', () => {
  let credential: Json;
  beforeAll(() => {
    credential = buildCredential(read('../keys.example/profile.json'), read('../examples/record.json'), {
      issuerId: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp',
      profileSchemaId: SERVED,
    }) as unknown as Json;
  });

  it('an issuer given as a bare URI is told it must be a Profile with an address and a name (elements 3 and 4)', () => {
    const c = structuredClone(credential);
    c.issuer = c.issuer.id;
    const messages = validateMicrocredProfile(c).errors.map((e) => e.message);
    expect(messages).toContain(`Annex I element 3: country/region of the issuer: $.issuer: expected the issuer as a Profile object with an address, found ${JSON.stringify(c.issuer)}`);
    expect(messages).toContain(`Annex I element 4: awarding body: $.issuer: expected the issuer as a Profile object with a name, found ${JSON.stringify(c.issuer)}`);
  });

  it('rules that had no text in the schema now have one (element 6 narrative), and the rest keep theirs', () => {
    const c = structuredClone(credential);
    c.credentialSubject.achievement.criteria.narrative = '';
    c.credentialSubject.achievement.achievementType = 'Course';
    c.validFrom = 'yesterday';
    const messages = validateMicrocredProfile(c).errors.map((e) => e.message);
    expect(messages).toEqual(expect.arrayContaining([
      'Annex I element 6: learning outcomes: $.credentialSubject.achievement.criteria.narrative: expected the learning outcomes described in words (criteria.narrative), found ""',
      'Annex I element 2: title of the micro-credential: $.credentialSubject.achievement.achievementType: expected "MicroCredential", found "Course"',
      'Annex I element 5: date of issuing: $.validFrom: expected the date of issuing (validFrom, a date-time), found "yesterday"',
    ]));
  });
});

describe('recognising a claim to the profile', () => {
  it('accepts the legacy w3id.org id and any deployment URL of the schema; nothing else', () => {
    for (const id of [
      LEGACY_MICROCRED_PROFILE_SCHEMA_ID,
      SERVED,
      'http://127.0.0.1:3000/schemas/microcred-profile/v1.json',
      'https://uni.example/microcred/schemas/microcred-profile/v1.json',
      microcredProfileSchemaUrl('https://uni.example/microcred/'),
    ]) expect(isMicrocredProfileSchemaId(id), id).toBe(true);
    for (const id of [
      undefined, 42, '', 'https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json',
      'https://uni.example/schemas/microcred-profile/v2.json', 'https://uni.example/schemas/microcred-profile/v1.json?x',
      'https://uni.example/schemas/microcred-profile/v1.json#x', 'https://u:p@uni.example/schemas/microcred-profile/v1.json',
      'file:///schemas/microcred-profile/v1.json', 'urn:x:/schemas/microcred-profile/v1.json',
      'https://w3id.org/microcred/schema/microcred-profile/v2.json',
    ]) expect(isMicrocredProfileSchemaId(id), String(id)).toBe(false);
    expect(claimsMicrocredProfile({ credentialSchema: { id: SERVED, type: '1EdTechJsonSchemaValidator2019' } })).toBe(true);
    expect(claimsMicrocredProfile({ credentialSchema: [] })).toBe(false);
  });

  describe('our verifier, on signed credentials', () => {
    let keys: KeySet;
    let built: Json;
    const NOW = new Date('2026-01-01T00:00:00Z');
    beforeAll(async () => {
      keys = await loadKeySet(EXAMPLE_KEYS_DIR);
      built = buildCredential(read('../keys.example/profile.json'), read('../examples/record.json'), {
        issuerId: keys.controller,
        validFrom: '2025-06-01T00:00:00Z',
        profileSchemaId: SERVED,
      }) as unknown as Json;
    });
    const withProfileId = (id: string, edit: (c: Json) => void = () => {}): Json => {
      const c = structuredClone(built);
      c.credentialSchema[1].id = id;
      edit(c);
      return c;
    };
    const sign = (c: Json) => issueCredential(c, { format: 'di', keys, created: '2025-06-01T00:00:00Z' }) as Promise<Json>;

    it('applies the bundled profile to credentials listing the legacy id or a deployment URL, and fetches neither', async () => {
      for (const id of [LEGACY_MICROCRED_PROFILE_SCHEMA_ID, SERVED, 'https://forger.example/schemas/microcred-profile/v1.json']) {
        const fetch = mapFetch({});
        const good = await verify(await sign(withProfileId(id)), { now: NOW, fetch });
        expect(good.verified, formatReport(good)).toBe(true);
        expect(good.checks.find((c) => c.id === 'profile')?.status, id).toBe('pass');
        const missing = withProfileId(id, (c) => {
          c.credentialSubject.achievement.alignment = c.credentialSubject.achievement.alignment.filter((a: Json) => a.targetType !== 'ext:ECTS');
        });
        const bad = await verify(await sign(missing), { now: NOW, fetch });
        expect(bad.checks.find((c) => c.id === 'profile'), id).toMatchObject({ status: 'fail', message: expect.stringContaining('Annex I element 7') });
        expect(fetch.calls.filter((u) => u.includes('schema')), id).toEqual([]);
      }
    });

    it('a credential that lists only the OB schema does not claim the profile', async () => {
      const c = structuredClone(built);
      c.credentialSchema = c.credentialSchema.slice(0, 1);
      const report = await verify(await sign(c), { now: NOW });
      expect(report.verified, formatReport(report)).toBe(true);
      expect(report.checks.find((x) => x.id === 'profile')?.status).toBe('not-applicable');
    });
  });
});
