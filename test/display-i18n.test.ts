/**
 * The label catalogues: English and Welsh have exactly the same keys and the same placeholders, nothing is empty,
 * and the helpers pick, fill and format as documented.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../src/display/i18n/en.js';
import { cy } from '../src/display/i18n/cy.js';
import { formatDate, label, labels, LANGS, languageName, negotiateLang } from '../src/display/i18n/index.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('label catalogues', () => {
  it('English and Welsh have exactly the same keys', () => {
    expect(Object.keys(cy).sort()).toEqual(Object.keys(en).sort());
  });

  it('every label is non-empty and has the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(en[key].trim(), key).not.toBe('');
      expect(cy[key].trim(), key).not.toBe('');
      expect(placeholders(cy[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('Welsh is Welsh: the element labels are translated, with the standard HE terms', () => {
    const elementKeys = Object.keys(en).filter((k) => k.startsWith('element.')) as (keyof typeof en)[];
    const same = elementKeys.filter((k) => en[k] === cy[k]);
    expect(same).toEqual([]);
    expect(cy['element.credits']).toBe('Credydau');
    expect(cy['element.level']).toBe('Lefel');
    expect(cy['element.learningOutcomes']).toBe('Canlyniadau dysgu');
  });

  it('fills placeholders, leaves unknown ones, and refuses unknown languages', () => {
    expect(label('en', 'value.credits.ukWithHours', { n: 20, hours: 200 })).toBe('20 UK credits (200 notional hours)');
    expect(label('cy', 'value.credits.ects', { n: '10' })).toBe('10 credyd ECTS');
    expect(label('en', 'value.credits.ects')).toBe('{n} ECTS credits');
    expect(() => labels('fr' as never)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(LANGS).toEqual(['en', 'cy']);
  });
});

describe('formatting and negotiation', () => {
  it('formats dates in UTC, in each language', () => {
    expect(formatDate('2026-06-19T00:00:00Z', 'en')).toBe('19 June 2026');
    expect(formatDate('2026-06-19T00:00:00Z', 'cy')).toBe('19 Mehefin 2026');
    expect(formatDate('2026-06-19T23:30:00-05:00', 'en')).toBe('20 June 2026');
    expect(formatDate('soon', 'en')).toBe('soon');
  });

  it('names languages', () => {
    expect(languageName('cy', 'cy')).toBe('Cymraeg');
    expect(languageName('en-GB', 'en')).toBe('British English');
  });

  it.each([
    [undefined, 'en'],
    ['', 'en'],
    ['cy-GB,cy;q=0.9,en;q=0.8', 'cy'],
    ['en-GB,en;q=0.9,cy;q=0.8', 'en'],
    ['fr-FR, cy;q=0.5', 'cy'],
    ['de, fr', 'en'],
    ['en;q=0.4, cy;q=0.6', 'cy'],
    ['cy;q=0, en', 'en'],
  ])('negotiateLang(%j) = %s', (header, expected) => {
    expect(negotiateLang(header)).toBe(expected);
  });
});
