/**
 * Claim e-mails through a real SMTP server (smtp-server on 127.0.0.1), read back with mailparser: the links and
 * the separate PIN, English and Welsh, accessible HTML, retries with backoff that survive a restart, outcomes
 * recorded, nothing sent without SMTP, and the address never in the logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { startSmtp } from './support/smtp.js';
import type { TestSmtp } from './support/smtp.js';
import { ClaimMailer, claimMailStatus, mailConfigFromEnv, queueClaimMail } from '../src/service/mail/mailer.js';
import { updateClaimSettings, offersOf } from '../src/service/wallet/offers.js';
import { interaction } from '../src/service/exchanges/exchange.js';
import { getCredentialOffer } from '../src/service/oid4vci/endpoints.js';
import { SignJWT, decodeJwt, exportJWK, generateKeyPair } from 'jose';
import { ed25519PublicKeyMultibase } from '../src/lib/multibase.js';
import { getCredential } from '../src/store/credentials.js';
import { call, expectOk, PUBLIC_URL, recordMinimal, startWallet } from './wallet-helpers.js';
import type { WalletHarness } from './wallet-helpers.js';

let h: WalletHarness;
let smtp: TestSmtp;
let smtpUrl: string;
let received: ParsedMail[];
/** Recipients to refuse (SMTP 450) the next N times. */
const refuse = new Map<string, number>();

beforeAll(async () => {
  h = await startWallet();
  smtp = await startSmtp({
    onRcptTo(address, _session, cb) {
      const left = refuse.get(address.address) ?? 0;
      if (left > 0) {
        refuse.set(address.address, left - 1);
        const err = Object.assign(new Error(`Mailbox ${address.address} busy, try later`), { responseCode: 450 });
        return cb(err);
      }
      cb();
    },
  });
  smtpUrl = smtp.url;
  received = smtp.received;
  await updateClaimSettings(h.ctx, h.slug, { mailFrom: 'Registry <registry@northbridge.example.ac.uk>' }, 'test');
});
afterAll(async () => {
  await smtp?.close();
  await h?.close();
});

function mailer(extra: Partial<ConstructorParameters<typeof ClaimMailer>[1]> = {}): ClaimMailer {
  return new ClaimMailer(h.ctx, { smtpUrl, pageUrl: (slug, id) => `https://credentials.test/learner/${slug}/${encodeURIComponent(id)}`, ...extra });
}

function to(m: ParsedMail): string {
  const t = m.to;
  return (Array.isArray(t) ? t[0] : t)?.value[0]?.address ?? '';
}

const linksIn = (text: string): string[] => [...text.matchAll(/(https:\/\/[^\s"<]+|openid-credential-offer:\/\/[^\s"<]+)/g)].map((x) => x[0]);

describe('claim e-mail', () => {
  it('sends the page link and the wallet links; the PIN comes in its own message; the links work', async () => {
    await updateClaimSettings(h.ctx, h.slug, { txCodeLength: 6 }, 'test');
    const address = 'sam.taylor@student.example.ac.uk';
    const id = await h.issue('mail-pin-1', 'di', { learner: { fullName: 'Sam Taylor', email: address } });
    const queued = await queueClaimMail(h.ctx, h.slug, id, { smtpConfigured: true });
    expect(queued).toMatchObject({ queued: true, outcome: 'queued' });
    const before = received.length;
    const m = mailer();
    expect(await m.runOnce()).toBe(1);
    await m.stop();
    const mine = received.slice(before);
    expect(mine).toHaveLength(2);
    const [claim, pin] = mine as [ParsedMail, ParsedMail];
    expect(to(claim)).toBe(address);
    expect(claim.from?.value[0]).toMatchObject({ name: 'Registry', address: 'registry@northbridge.example.ac.uk' });
    expect(claim.subject).toBe('Add your Foundations of Cyber Security credential to your wallet');
    const text = claim.text ?? '';
    expect(text).toContain(`https://credentials.test/learner/${h.slug}/${encodeURIComponent(id)}`);
    const links = linksIn(text);
    const lcw = links.find((l) => l.startsWith('https://lcw.app/request?request='));
    const inter = links.find((l) => l.includes('/interactions/'));
    const vci = links.find((l) => l.startsWith('openid-credential-offer://'));
    expect(lcw && inter && vci).toBeTruthy();
    // The HTML carries the same links, in a document with a language, a heading and descriptive link texts.
    const html = String(claim.html);
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/);
    expect(html).toContain('<h1>Your credential from Example University of Northbridge</h1>');
    expect(html).toContain('>Add to Learner Credential Wallet</a>');
    for (const l of [inter, vci] as string[]) expect(html).toContain(l.replaceAll('&', '&amp;'));
    // The PIN is in the second message only, and it works with the first message's offer.
    const code = /\b(\d{6})\b/.exec(pin.text ?? '')?.[1] as string;
    expect(code).toBeTruthy();
    expect(text).not.toContain(code);
    expect(pin.subject).toMatch(/PIN/);
    const secret = new URL(inter as string).pathname.split('/').pop() as string;
    expect((await interaction(h.ctx, h.slug, secret)).status).toBe(200);
    const offerObj = (await getCredentialOffer(h.ctx, h.slug, secret)).body as any;
    expect(offerObj.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code'].tx_code.length).toBe(6);
    expect(await claimMailStatus(h.ctx, id)).toEqual([expect.objectContaining({ state: 'sent', attempts: 1, outcome: 'sent (PIN in a second message)' })]);
    expect(h.logs.join('')).not.toContain(address);
    await updateClaimSettings(h.ctx, h.slug, { txCodeLength: null }, 'test');
  });

  it('in Welsh and English, Welsh first, each section marked with its language', async () => {
    await updateClaimSettings(h.ctx, h.slug, { mailLanguages: ['cy', 'en'] }, 'test');
    const id = await h.issue('mail-cy-1', 'di', { learner: { fullName: 'Sam Taylor', email: 'sam.cy@student.example.ac.uk' } });
    await queueClaimMail(h.ctx, h.slug, id, { smtpConfigured: true });
    const before = received.length;
    await mailer().runOnce();
    const [m] = received.slice(before) as [ParsedMail];
    expect(m.subject).toBe('Ychwanegwch eich tystlythyr Foundations of Cyber Security at eich waled / Add your Foundations of Cyber Security credential to your wallet');
    const html = String(m.html);
    expect(html).toMatch(/<html lang="cy">/);
    expect(html.indexOf('<section lang="cy">')).toBeLessThan(html.indexOf('<section lang="en">'));
    expect(html).toContain('>Ychwanegu at Learner Credential Wallet</a>');
    expect(html).toContain('>Add to Learner Credential Wallet</a>');
    expect(m.text).toContain("Learner Credential Wallet: agorwch y ddolen hon");
    expect(m.text).toContain('Learner Credential Wallet: open this link');
    await updateClaimSettings(h.ctx, h.slug, { mailLanguages: ['en'] }, 'test');
  });

  it('a refused delivery is retried with backoff, also by a new worker (restart); the failed attempt\'s links are withdrawn', async () => {
    const address = 'busy.learner@student.example.ac.uk';
    refuse.set(address, 1);
    const id = await h.issue('mail-retry-1', 'di', { learner: { fullName: 'Busy Learner', email: address } });
    await queueClaimMail(h.ctx, h.slug, id, { smtpConfigured: true });
    const before = received.length;
    const t0 = new Date();
    const first = mailer({ backoffSeconds: (n) => 30 * n });
    await first.runOnce(t0);
    await first.stop();
    expect(received.length).toBe(before);
    const [status] = await claimMailStatus(h.ctx, id);
    expect(status).toMatchObject({ state: 'pending', attempts: 1 });
    expect(status?.outcome).toMatch(/^will retry: SMTP 450: .*busy/);
    expect(status?.outcome).not.toContain(address);
    expect(h.logs.join('')).not.toContain(address);
    // Not due yet; then due for a new worker (the queue is in the database).
    const second = mailer({ backoffSeconds: (n) => 30 * n });
    expect(await second.runOnce(new Date(t0.getTime() + 10_000))).toBe(0);
    expect(await second.runOnce(new Date(t0.getTime() + 31_000))).toBe(1);
    await second.stop();
    expect(received.slice(before).map(to), JSON.stringify(received.slice(before).map((r) => [to(r), r.subject]))).toEqual([address]);
    expect(await claimMailStatus(h.ctx, id)).toEqual([expect.objectContaining({ state: 'sent', attempts: 2 })]);
    const offers = await offersOf(h.ctx, h.slug, id);
    expect(offers.map((o) => [o.state, o.reason])).toEqual([['revoked', 'the e-mail was not delivered'], ['open', undefined]]);
  });

  it('gives up after the last attempt and says so', async () => {
    const address = 'gone@student.example.ac.uk';
    refuse.set(address, 10);
    const id = await h.issue('mail-giveup-1', 'di', { learner: { fullName: 'Gone', email: address } });
    await queueClaimMail(h.ctx, h.slug, id, { smtpConfigured: true });
    const m = mailer({ maxAttempts: 2, backoffSeconds: () => 1 });
    const t0 = Date.now();
    await m.runOnce(new Date(t0));
    await m.runOnce(new Date(t0 + 2000));
    await m.stop();
    expect(await claimMailStatus(h.ctx, id)).toEqual([expect.objectContaining({ state: 'failed', attempts: 2, outcome: expect.stringMatching(/^failed: SMTP 450/) })]);
  });

  it('without SMTP, without an address or without a from address nothing is sent, and the outcome says why', async () => {
    expect(mailConfigFromEnv({})).toEqual({});
    expect(mailConfigFromEnv({ SMTP_URL: smtpUrl })).toEqual({ smtpUrl });
    const unconfigured = new ClaimMailer(h.ctx, {});
    expect(unconfigured.configured).toBe(false);
    const withMail = await h.issue('mail-nosmtp-1', 'di', { learner: { fullName: 'Sam', email: 'nosmtp@student.example.ac.uk' } });
    expect(await queueClaimMail(h.ctx, h.slug, withMail, { smtpConfigured: unconfigured.configured })).toMatchObject({ queued: false, outcome: 'not sent: SMTP is not configured (SMTP_URL)' });
    expect(await unconfigured.runOnce()).toBe(0);
    const noAddress = await h.issue('mail-noaddr-1');
    expect((await queueClaimMail(h.ctx, h.slug, noAddress, { smtpConfigured: true })).outcome).toBe('not sent: the record has no e-mail address');
    await updateClaimSettings(h.ctx, h.slug, { mailFrom: null }, 'test');
    const noFrom = await h.issue('mail-nofrom-1', 'di', { learner: { fullName: 'Sam', email: 'nofrom@student.example.ac.uk' } });
    expect((await queueClaimMail(h.ctx, h.slug, noFrom, { smtpConfigured: true })).outcome).toMatch(/no from address/);
    await updateClaimSettings(h.ctx, h.slug, { mailFrom: 'registry@northbridge.example.ac.uk' }, 'test');
    const before = received.length;
    await mailer().runOnce();
    expect(received.length).toBe(before);
    expect(await claimMailStatus(h.ctx, withMail)).toEqual([expect.objectContaining({ state: 'skipped', attempts: 0 })]);
    expect(await offersOf(h.ctx, h.slug, withMail)).toEqual([]);
  });

  it('issuing through a service without SMTP says in its answer and in the credential\'s view that nothing was sent', async () => {
    const res = await call(h, 'POST', `/issuers/${h.slug}/credentials`, { token: h.token, json: { ...recordMinimal, recordId: 'mail-http-nosmtp', learner: { fullName: 'Sam', email: 'http.nosmtp@student.example.ac.uk' } } });
    expect(res.status).toBe(201);
    expect(res.body.claimMail).toEqual([expect.objectContaining({ state: 'skipped', attempts: 0, outcome: 'not sent: SMTP is not configured (SMTP_URL)' })]);
    const view = expectOk(await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(res.body.id)}`, { token: h.token })).body;
    expect(view.claimMail).toEqual(res.body.claimMail);
    expect(JSON.stringify(res.body.claimMail)).not.toContain('http.nosmtp');
  });
});

describe('claim e-mail from the running service (SMTP_URL configured)', () => {
  let svc: WalletHarness;
  beforeAll(async () => {
    svc = await startWallet({ smtpUrl });
    await call(svc, 'PATCH', `/issuers/${svc.slug}/claim-settings`, { token: svc.token, json: { mailFrom: 'Registry <registry@northbridge.example.ac.uk>', txCodeLength: 6 } }).then(expectOk);
  });
  afterAll(async () => {
    await svc?.close();
  });

  it('issuing queues the e-mail in the same transaction, the worker sends it after the commit, the outcome is in the credential\'s view, and its links work', async () => {
    const address = 'robin.service@student.example.ac.uk';
    const before = received.length;
    const res = await call(svc, 'POST', `/issuers/${svc.slug}/credentials`, { token: svc.token, json: { ...recordMinimal, recordId: 'mail-service-1', learner: { fullName: 'Robin Service', email: address } } });
    expect(res.status, res.text).toBe(201);
    expect(res.body.claimMail).toEqual([expect.objectContaining({ state: expect.stringMatching(/^(pending|sent)$/) })]);
    // In the issuing transaction: the outbox row exists with the credential, and holds no address.
    const rows = (await svc.db.query('SELECT * FROM mail_outbox WHERE credential_id = $1', [res.body.id])).rows;
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(address);
    const path = `/issuers/${svc.slug}/credentials/${encodeURIComponent(res.body.id)}`;
    let view: any;
    for (let i = 0; i < 100; i++) {
      view = expectOk(await call(svc, 'GET', path, { token: svc.token })).body;
      if (view.claimMail[0]?.state !== 'pending') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(view.claimMail).toEqual([expect.objectContaining({ state: 'sent', attempts: 1, outcome: 'sent (PIN in a second message)', sentAt: expect.any(String) })]);
    const mine = received.slice(before).filter((m) => to(m) === address);
    expect(mine).toHaveLength(2);
    const [claim, pin] = mine as [ParsedMail, ParsedMail];
    const text = claim.text ?? '';
    // The learner's page, and the learner's page with the offer's wallet section.
    const learnerPage = `${PUBLIC_URL}/c/${(await getCredential(svc.db, svc.slug, res.body.id))?.pageToken}`;
    expect(text).toContain(`${learnerPage}\n`);
    const page = linksIn(text).find((l) => l.includes('/wallet/')) as string;
    expect(page.startsWith(`${learnerPage}/wallet/`)).toBe(true);
    expect(String(claim.html)).toContain('>Open the page with the QR codes</a>');
    // The claim page and the wallet links of the e-mail lead to the running service's offer.
    const claimPage = await call(svc, 'GET', page);
    expect([claimPage.status, claimPage.headers['content-type']]).toEqual([200, expect.stringMatching(/^text\/html/)]);
    expect(claimPage.text).toContain('Open in Learner Credential Wallet');
    expect(claimPage.text).toContain('Robin Service');
    const inter = linksIn(text).find((l) => l.includes('/interactions/')) as string;
    expect(expectOk(await call(svc, 'GET', inter)).body.protocols.vcapi).toMatch(/\/exchanges\//);
    const code = /\b(\d{6})\b/.exec(pin.text ?? '')?.[1] as string;
    expect(code).toBeTruthy();
    expect(text).not.toContain(code);
    // A learner claims from the e-mail with an OID4VCI wallet, using the PIN of the second message.
    const copy = await claimWithOid4vci(svc, linksIn(text).find((l) => l.startsWith('openid-credential-offer://')) as string, code);
    expect((await svc.app.verifier.credential(copy)).verified).toBe(true);
    // An idempotent retry queues nothing more.
    const again = await call(svc, 'POST', `/issuers/${svc.slug}/credentials`, { token: svc.token, json: { ...recordMinimal, recordId: 'mail-service-1', learner: { fullName: 'Robin Service', email: address } } });
    expect(again.status).toBe(200);
    expect(again.body.claimMail).toHaveLength(1);
    expect(svc.logs.join('')).not.toContain(address);
  });

  it('a batch queues each issued record\'s e-mail and says for each whether it is queued', async () => {
    const address = 'batch.learner@student.example.ac.uk';
    const before = received.length;
    const res = await call(svc, 'POST', `/issuers/${svc.slug}/credentials/batch`, {
      token: svc.token,
      json: [{ ...recordMinimal, recordId: 'mail-batch-1', learner: { fullName: 'Batch Learner', email: address } }, { ...recordMinimal, recordId: 'mail-batch-2' }, { recordId: 'bad' }],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.map((r: any) => [r.outcome, r.claimMail])).toEqual([
      ['issued', { queued: true, outcome: 'queued' }],
      ['issued', { queued: false, outcome: 'not sent: the record has no e-mail address' }],
      ['invalid', undefined],
    ]);
    for (let i = 0; i < 100 && received.slice(before).filter((m) => to(m) === address).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect(received.slice(before).filter((m) => to(m) === address).map((m) => m.subject)).toEqual([expect.stringMatching(/credential to your wallet/), expect.stringMatching(/PIN/)]);
  });

  it('a record without an e-mail address: nothing sent, and the answer says why', async () => {
    const res = await call(svc, 'POST', `/issuers/${svc.slug}/credentials`, { token: svc.token, json: { ...recordMinimal, recordId: 'mail-service-noaddr' } });
    expect(res.body.claimMail).toEqual([expect.objectContaining({ state: 'skipped', outcome: 'not sent: the record has no e-mail address' })]);
  });
});

/** The OID4VCI pre-authorized code flow from an offer link, as a wallet runs it over HTTP: the VC-JWT it receives. */
async function claimWithOid4vci(svc: WalletHarness, offerLink: string, pin: string): Promise<string> {
  const offerUri = new URL(offerLink).searchParams.get('credential_offer_uri') as string;
  const offer = expectOk(await call(svc, 'GET', offerUri)).body;
  const code = offer.grants['urn:ietf:params:oauth:grant-type:pre-authorized_code']['pre-authorized_code'] as string;
  const meta = expectOk(await call(svc, 'GET', `/.well-known/openid-credential-issuer/issuers/${svc.slug}`)).body;
  const tokenEndpoint = expectOk(await call(svc, 'GET', `/.well-known/oauth-authorization-server/issuers/${svc.slug}`)).body.token_endpoint as string;
  const t = expectOk(await call(svc, 'POST', tokenEndpoint, { form: { grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code', 'pre-authorized_code': code, tx_code: pin } })).body;
  const { c_nonce } = expectOk(await call(svc, 'POST', meta.nonce_endpoint)).body;
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const mb = ed25519PublicKeyMultibase(Buffer.from((await exportJWK(publicKey)).x as string, 'base64url'));
  const proof = await new SignJWT({ nonce: c_nonce })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'openid4vci-proof+jwt', kid: `did:key:${mb}#${mb}` })
    .setAudience(meta.credential_issuer)
    .setIssuedAt()
    .sign(privateKey);
  const res = expectOk(await call(svc, 'POST', meta.credential_endpoint, {
    headers: { authorization: `Bearer ${t.access_token}` },
    json: { credential_configuration_id: 'OpenBadgeCredential_jwt_vc_json', proofs: { jwt: [proof] } },
  })).body;
  const jwt = res.credentials[0].credential as string;
  expect(decodeJwt(jwt).sub).toBe(`did:key:${mb}`);
  return jwt;
}
