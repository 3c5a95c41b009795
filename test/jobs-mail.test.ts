/**
 * Claim e-mails of bulk jobs, end to end: a job submitted over HTTP to a running service with SMTP queues one claim
 * e-mail per credential it writes, in the chunk's transaction, and a real SMTP server (smtp-server on 127.0.0.1)
 * receives them; records without an address, dry runs and deployments without SMTP send nothing, and say why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ParsedMail } from 'mailparser';
import { MAIL_NOT_SENT } from '../src/service/mail/outcomes.js';
import { startSmtp } from './support/smtp.js';
import type { TestSmtp } from './support/smtp.js';
import { updateClaimSettings } from '../src/service/wallet/offers.js';
import { call, expectOk, PUBLIC_URL, recordMinimal, startWallet } from './wallet-helpers.js';
import type { WalletHarness } from './wallet-helpers.js';

let smtp: TestSmtp;
let smtpUrl: string;
let received: ParsedMail[];

beforeAll(async () => {
  smtp = await startSmtp();
  smtpUrl = smtp.url;
  received = smtp.received;
});
afterAll(async () => {
  await smtp?.close();
});

const recipient = (m: ParsedMail): string => {
  const t = m.to;
  return (Array.isArray(t) ? t[0] : t)?.value[0]?.address ?? '';
};

const lines = (records: Record<string, unknown>[]): string => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

function recordOf(recordId: string, email?: string): Record<string, unknown> {
  const learner = { ...(recordMinimal.learner as Record<string, unknown>), ...(email ? { email } : {}) };
  return { ...recordMinimal, recordId, learner };
}

/** Submits an NDJSON job over HTTP and waits until it is done; returns its id. */
async function runJob(h: WalletHarness, records: Record<string, unknown>[], query = ''): Promise<string> {
  const res = await h.fetch(`${PUBLIC_URL}/issuers/${h.slug}/jobs${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${h.token}`, 'content-type': 'application/x-ndjson' },
    body: lines(records),
  });
  expect(res.status).toBe(202);
  const job = (await res.json()) as { id: string };
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = expectOk(await call(h, 'GET', `/issuers/${h.slug}/jobs/${job.id}`, { token: h.token })).body;
    if (status.state === 'done') return job.id;
    if (Date.now() > deadline) throw new Error(`job still ${status.state}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The job's report rows (NDJSON). */
async function reportOf(h: WalletHarness, jobId: string): Promise<{ recordId: string; outcome: string; credentialId?: string }[]> {
  const a = expectOk(await call(h, 'GET', `/issuers/${h.slug}/jobs/${jobId}/results?format=ndjson`, { token: h.token }));
  return a.text.trim().split('\n').map((l) => JSON.parse(l));
}

async function mailOf(h: WalletHarness, credentialId: string): Promise<Record<string, unknown>[]> {
  return expectOk(await call(h, 'GET', `/issuers/${h.slug}/credentials/${encodeURIComponent(credentialId)}`, { token: h.token })).body.claimMail;
}

async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('bulk jobs on a service with SMTP', () => {
  let h: WalletHarness;
  beforeAll(async () => {
    h = await startWallet({ smtpUrl, jobWorkerThreads: 0 });
    await updateClaimSettings(h.ctx, h.slug, { mailFrom: 'Registry <registry@northbridge.example.ac.uk>' }, 'test');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('queue a claim e-mail for each credential written, sent without waiting for the poll; none for a record without an address', async () => {
    const before = received.length;
    const jobId = await runJob(h, [recordOf('bulk-mail-1', 'ana.jones@student.example.ac.uk'), recordOf('bulk-mail-2', 'ben.evans@student.example.ac.uk'), recordOf('bulk-mail-3')]);
    const report = await reportOf(h, jobId);
    expect(report.map((r) => r.outcome)).toEqual(['issued', 'issued', 'issued']);
    const mine = await waitFor('two claim e-mails', () => (received.length - before >= 2 ? received.slice(before) : undefined));
    expect(mine.map(recipient).sort()).toEqual(['ana.jones@student.example.ac.uk', 'ben.evans@student.example.ac.uk']);
    for (const m of mine) {
      expect(m.subject).toBe('Add your Foundations of Cyber Security credential to your wallet');
      // The learner's page is linked, and wallet links made for this message.
      expect(m.text).toContain(`${PUBLIC_URL}/c/`);
      expect(m.text).toMatch(/openid-credential-offer:\/\//);
    }
    const [first, , third] = report as [{ credentialId: string }, unknown, { credentialId: string }];
    // The outcome is recorded once the SMTP server has taken the message.
    const outcome = await waitFor('the outcome recorded', async () => {
      const m = await mailOf(h, first.credentialId);
      return m[0]?.state === 'pending' ? undefined : m;
    });
    expect(outcome).toEqual([expect.objectContaining({ state: 'sent', attempts: 1 })]);
    expect(await mailOf(h, third.credentialId)).toEqual([expect.objectContaining({ state: 'skipped', outcome: MAIL_NOT_SENT.noAddress })]);
    // The addresses are not in the logs.
    expect(h.logs.join('')).not.toContain('ana.jones@');
  });

  it('a job run again sends nothing more: records already issued get no second e-mail', async () => {
    const before = received.length;
    const jobId = await runJob(h, [recordOf('bulk-mail-1', 'ana.jones@student.example.ac.uk')]);
    expect((await reportOf(h, jobId)).map((r) => r.outcome)).toEqual(['already-issued']);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.length).toBe(before);
  });

  it('a dry run queues nothing', async () => {
    const jobId = await runJob(h, [recordOf('bulk-mail-dry', 'dry.run@student.example.ac.uk')], '?dryRun=true');
    expect((await reportOf(h, jobId)).map((r) => r.outcome)).not.toContain('issued');
    const n = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mail_outbox WHERE issuer_slug = $1`, [h.slug]);
    // Three from the first job (two pending then sent, one skipped); none from the re-run or the dry run.
    expect(n.rows[0]?.n).toBe(3);
  });

  it('an issuer without a from address: the rows say why nothing is sent', async () => {
    await updateClaimSettings(h.ctx, h.slug, { mailFrom: null }, 'test');
    try {
      const jobId = await runJob(h, [recordOf('bulk-mail-nofrom', 'cara.hughes@student.example.ac.uk')]);
      const [row] = (await reportOf(h, jobId)) as [{ credentialId: string }];
      expect(await mailOf(h, row.credentialId)).toEqual([expect.objectContaining({ state: 'skipped', outcome: MAIL_NOT_SENT.noFrom })]);
    } finally {
      await updateClaimSettings(h.ctx, h.slug, { mailFrom: 'Registry <registry@northbridge.example.ac.uk>' }, 'test');
    }
  });
});

describe('bulk jobs on a service without SMTP', () => {
  it('write no outbox rows; the credential says SMTP is not configured', async () => {
    const h = await startWallet({ jobWorkerThreads: 0 });
    try {
      const jobId = await runJob(h, [recordOf('bulk-nosmtp-1', 'dee.price@student.example.ac.uk')]);
      const [row] = (await reportOf(h, jobId)) as [{ credentialId: string; outcome: string }];
      expect(row.outcome).toBe('issued');
      const n = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM mail_outbox`);
      expect(n.rows[0]?.n).toBe(0);
      expect(await mailOf(h, row.credentialId)).toEqual([expect.objectContaining({ state: 'skipped', outcome: MAIL_NOT_SENT.noSmtp })]);
    } finally {
      await h.close();
    }
  });
});
