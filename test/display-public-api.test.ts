/**
 * The display, badge, baking and certificate functions through the public entry point, as the pages and the CLI
 * will call them: view → badge → bake → unbake → verify, and a certificate.
 */
import { describe, expect, it } from 'vitest';
import * as microcred from '../src/index.js';
import { issuedFull } from './display-helpers.js';

describe('public API for credential display and baking', () => {
  it('exports the functions the pages will call', () => {
    for (const name of ['credentialView', 'credentialRows', 'labels', 'label', 'negotiateLang', 'formatDate', 'badgeSvg', 'badgePng',
      'badgeText', 'bake', 'unbake', 'imageKind', 'certificatePdf'] as const) {
      expect(typeof microcred[name], name).toBe('function');
    }
  });

  it('a VC-JWT through view, badge, bake, unbake and verify', async () => {
    const { jwt } = await issuedFull();
    const view = microcred.credentialView(jwt);
    const baked = microcred.bake(microcred.badgePng(view, { size: 128, lang: 'cy' }), jwt);
    expect(microcred.imageKind(baked)).toBe('png');
    const { format, credential } = microcred.unbake(baked);
    expect(format).toBe('jwt');
    const report = await microcred.verify(credential, { now: new Date('2026-07-01T00:00:00Z') });
    expect(report.verified, microcred.formatReport(report)).toBe(true);
    expect(microcred.credentialView(credential)).toEqual(view);
    const pdf = await microcred.certificatePdf(view, { url: 'https://credentials.example.ac.uk/c/1', lang: microcred.negotiateLang('cy,en;q=0.5') });
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
  });
});
