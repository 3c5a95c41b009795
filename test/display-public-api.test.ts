/**
 * The display, badge, baking and certificate functions through the public entry point, as the pages and the CLI
 * will call them: view → badge → bake → unbake → verify, and a certificate.
 */
import { describe, expect, it } from 'vitest';
import * as library from '../src/index.js';
import * as display from '../src/display/index.js';

const microcred = { ...library, ...display };
import { issuedFull } from './display-helpers.js';

describe('public API for credential display and baking', () => {
  it('microcred/display and microcred export the functions the pages will call', () => {
    for (const name of ['credentialView', 'credentialRows', 'labels', 'label', 'negotiateLang', 'badgeSvg', 'badgePng', 'certificatePdf'] as const) {
      expect(typeof display[name], name).toBe('function');
    }
    for (const name of ['bake', 'unbake', 'verify'] as const) expect(typeof library[name], name).toBe('function');
  });

  it('a VC-JWT through view, badge, bake, unbake and verify', async () => {
    const { jwt } = await issuedFull();
    const view = microcred.credentialView(jwt);
    const baked = microcred.bake(microcred.badgePng(view, { size: 128, lang: 'cy' }), jwt);
    expect(microcred.unbake(baked).image).toBe('png');
    const { format, credential } = microcred.unbake(baked);
    expect(format).toBe('jwt');
    const report = await microcred.verify(credential, { now: new Date('2026-07-01T00:00:00Z') });
    expect(report.verified, microcred.formatReport(report)).toBe(true);
    expect(microcred.credentialView(credential)).toEqual(view);
    const pdf = await microcred.certificatePdf(view, { url: 'https://credentials.example.ac.uk/c/1', lang: microcred.negotiateLang('cy,en;q=0.5') });
    expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
  });
});
