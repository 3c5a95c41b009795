/**
 * Claim e-mails. Issuing only queues a row (`queueClaimMail`, after the issuing transaction commits, or inside it);
 * a worker (`ClaimMailer`) sends it over SMTP (`SMTP_URL`, nodemailer), retrying with exponential backoff; the
 * queue is a database table, so a restart, or another process of the fleet, resumes it. Each outcome is recorded.
 *
 * Where the address lives: the credential row already keeps the learner's e-mail (lower-cased, for "credentials of
 * this learner" look-ups; the signed credential carries only its salted hash). The outbox reads it from there when
 * sending and keeps no copy, so there is one place to erase it. Each attempt makes a fresh offer whose links (and
 * PIN) exist only in that message, so no secret waits in the database; a failed attempt's offer is withdrawn. The
 * address is never logged: errors are recorded with it removed.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { getCredential } from '../../store/credentials.js';
import type { Queryable } from '../../store/db.js';
import { finishMail, insertMail, listMail, setMailOffer, takeDueMail } from '../../store/mail-outbox.js';
import type { MailRow } from '../../store/mail-outbox.js';
import { getClaimSettings, getOffer, setOfferState } from '../../store/offers.js';
import type { ServiceContext } from '../context.js';
import { achievementName } from '../wallet/claim.js';
import { learnerWalletUrl } from '../wallet/urls.js';
import { newOffer, offerLinks } from '../wallet/offers.js';
import { claimMail, pinMail } from './claim-mail.js';
import { MAIL_NOT_SENT } from './outcomes.js';

export interface ClaimMailerOptions {
  /** SMTP server (nodemailer URL syntax, e.g. `smtps://user:pass@smtp.example.ac.uk`); absent = no e-mail is sent. */
  smtpUrl?: string;
  /** A ready transport instead of `smtpUrl` (embedders, tests). */
  transport?: Transporter;
  /** The learner's page of a credential (provided by the pages); absent = the e-mail has no page link. */
  pageUrl?: (slug: string, credentialId: string) => string | undefined | Promise<string | undefined>;
  /** Attempts before a message is given up (default 8). */
  maxAttempts?: number;
  /** Seconds before attempt `n + 1` after `n` failures (default 60 · 2^(n-1), at most 6 hours). */
  backoffSeconds?: (failures: number) => number;
  /** Seconds a worker holds a message while sending (default 120). */
  leaseSeconds?: number;
}

/**
 * Mail settings from the environment: `SMTP_URL`.
 *
 * @example
 * ```ts
 * const mailer = new ClaimMailer(ctx, { ...mailConfigFromEnv(process.env), pageUrl });
 * ```
 */
export function mailConfigFromEnv(env: Record<string, string | undefined> = process.env): Pick<ClaimMailerOptions, 'smtpUrl'> {
  return env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {};
}

export interface QueuedMail {
  /** True when a message will be sent; false with the reason in `outcome` otherwise. */
  queued: boolean;
  outcome: string;
  id: string;
}

/**
 * Queues the claim e-mail of a credential, or records why none will be sent (SMTP not configured, no address on
 * the record, no from address for the issuer). Fast and never throws for those: issuing does not wait for mail.
 * Pass `q` to queue inside the issuing transaction.
 *
 * @example
 * ```ts
 * const mail = await queueClaimMail(ctx, 'northbridge', row.id, { smtpConfigured: mailer.configured });
 * // { queued: false, outcome: 'not sent: SMTP is not configured (SMTP_URL)' } on a deployment without SMTP
 * ```
 */
export async function queueClaimMail(ctx: ServiceContext, slug: string, credentialId: string, options: { smtpConfigured: boolean; q?: Queryable }): Promise<QueuedMail> {
  const q = options.q ?? ctx.db;
  const row = await getCredential(q, slug, credentialId);
  let skip: string | undefined;
  if (!options.smtpConfigured) skip = MAIL_NOT_SENT.noSmtp;
  else if (!row?.learnerEmail) skip = MAIL_NOT_SENT.noAddress;
  else if (!(await getClaimSettings(q, slug)).mailFrom) skip = MAIL_NOT_SENT.noFrom;
  const mail = await insertMail(q, { issuerSlug: slug, credentialId, state: skip ? 'skipped' : 'pending', ...(skip ? { outcome: skip } : {}) });
  return { queued: !skip, outcome: skip ?? 'queued', id: mail.id };
}

/**
 * The claim e-mails of a credential and their outcomes (for the credential's API view).
 *
 * @example
 * ```ts
 * const mails = await claimMailStatus(ctx, credentialId); // [{ state: 'sent', attempts: 1, outcome: 'sent', sentAt }]
 * ```
 */
export async function claimMailStatus(ctx: ServiceContext, credentialId: string): Promise<Pick<MailRow, 'id' | 'state' | 'attempts' | 'outcome' | 'sentAt' | 'createdAt'>[]> {
  return (await listMail(ctx.db, credentialId)).map(({ id, state, attempts, outcome, sentAt, createdAt }) => ({
    id,
    state,
    attempts,
    ...(outcome ? { outcome } : {}),
    ...(sentAt ? { sentAt } : {}),
    createdAt,
  }));
}

/** An error message with the address taken out (SMTP servers quote recipients). */
function scrub(message: string, address: string): string {
  const escaped = address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(escaped, 'gi'), '<recipient>').slice(0, 500);
}

/**
 * The worker that sends queued claim e-mails. `runOnce()` sends what is due now; `start()` polls.
 *
 * @example
 * ```ts
 * const mailer = new ClaimMailer(ctx, { smtpUrl: process.env.SMTP_URL, pageUrl: (slug, id) => learnerPageUrl(slug, id) });
 * mailer.start();
 * // … on shutdown:
 * await mailer.stop();
 * ```
 */
export class ClaimMailer {
  private readonly transport: Transporter | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly options: ClaimMailerOptions = {},
  ) {
    this.transport = options.transport ?? (options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : undefined);
  }

  /** True when there is an SMTP server to send through. */
  get configured(): boolean {
    return this.transport !== undefined;
  }

  /**
   * Sends every message due at `now`; returns how many attempts were made.
   *
   * @example
   * ```ts
   * await mailer.runOnce(); // 1: one claim e-mail sent (or failed and rescheduled)
   * ```
   */
  async runOnce(now: Date = new Date()): Promise<number> {
    if (!this.transport) return 0;
    let attempts = 0;
    const seen = new Set<string>();
    for (;;) {
      const job = await takeDueMail(this.ctx.db, now, this.options.leaseSeconds ?? 120);
      // Each message at most once per run, even when its retry falls due at once.
      if (!job || seen.has(job.id)) return attempts;
      seen.add(job.id);
      attempts++;
      await this.attempt(job, now);
    }
  }

  /** Polls every `intervalMs` (default 5 s); never overlaps itself. */
  start(intervalMs = 5000): void {
    if (this.timer || !this.transport) return;
    this.timer = setInterval(() => this.kick(), intervalMs);
    this.timer.unref();
  }

  /**
   * Sends what is due now, in the background, unless a run is under way (called after a transaction that queued
   * a message commits, so the e-mail does not wait for the next poll). Never throws; failures are logged.
   *
   * @example
   * ```ts
   * const out = await issueFromRecord(ctx, slug, record, { ...options, onStored });
   * mailer.kick();
   * ```
   */
  kick(): void {
    if (!this.transport) return;
    if (this.running) {
      // What was queued meanwhile may be past the running pass: one more pass when it ends.
      this.again = true;
      return;
    }
    this.running = this.runOnce()
      .catch((e: unknown) => {
        this.ctx.logger.error({ err: { type: (e as Error)?.name, message: (e as Error)?.message } }, 'claim e-mail worker failed');
        return 0;
      })
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops polling and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    this.transport?.close();
  }

  private retryAt(failures: number, now: Date): Date {
    const seconds = this.options.backoffSeconds?.(failures) ?? Math.min(60 * 2 ** (failures - 1), 6 * 3600);
    return new Date(now.getTime() + seconds * 1000);
  }

  private async attempt(job: MailRow, now: Date): Promise<void> {
    const { ctx } = this;
    const slug = job.issuerSlug;
    const row = await getCredential(ctx.db, slug, job.credentialId);
    const settings = await getClaimSettings(ctx.db, slug);
    const log = { mail: job.id, issuer: slug, credential: job.credentialId };
    if (!row || row.status === 'revoked') return finishMail(ctx.db, job.id, { state: 'skipped', outcome: 'not sent: the credential has been revoked' });
    if (!row.learnerEmail) return finishMail(ctx.db, job.id, { state: 'skipped', outcome: 'not sent: the record has no e-mail address' });
    if (!settings.mailFrom) return finishMail(ctx.db, job.id, { state: 'skipped', outcome: "not sent: the issuer has no from address (claim settings 'mailFrom')" });
    const address = row.learnerEmail;
    let made: Awaited<ReturnType<typeof newOffer>>;
    try {
      made = await ctx.db.transaction(async (tx) => {
        // The previous attempt's links were never confirmed delivered: withdraw them before making new ones.
        const previous = job.offerId ? await getOffer(tx, slug, job.offerId, true) : undefined;
        if (previous?.state === 'open') await setOfferState(tx, previous, 'revoked', { actor: 'mail', reason: 'replaced by a later e-mail attempt' });
        const out = await newOffer(tx, slug, row.id, { actor: 'mail' }, settings);
        await setMailOffer(tx, job.id, out.row.id);
        return out;
      });
    } catch (e) {
      // The credential cannot be offered now (suspended): try again later.
      const failures = job.attempts + 1;
      const final = failures >= (this.options.maxAttempts ?? 8);
      return finishMail(ctx.db, job.id, { state: final ? 'failed' : 'pending', outcome: `not sent: ${(e as Error).message}`, ...(final ? {} : { retryAt: this.retryAt(failures, now) }) });
    }
    const issuer = await ctx.issuer(slug);
    const links = offerLinks(ctx.publicUrl, slug, issuer.keys.controller, made.secret);
    const pageUrl = this.options.pageUrl ? await this.options.pageUrl(slug, row.id) : undefined;
    const data = {
      issuerName: issuer.row.profile.name,
      title: achievementName(row),
      ...(pageUrl ? { pageUrl } : {}),
      // The learner's page with the offer's wallet section, or (no page) the offer's claim page.
      claimPageUrl: pageUrl ? learnerWalletUrl(pageUrl, made.secret) : links.page,
      lcwUrl: links.lcw.universal,
      interactionUrl: links.interaction,
      oid4vciUrl: links.oid4vci.offer,
      expiresAt: made.row.expiresAt,
      pinSeparately: made.txCode !== undefined,
    };
    try {
      const claim = claimMail(data, settings.mailLanguages);
      await (this.transport as Transporter).sendMail({ from: settings.mailFrom, to: address, subject: claim.subject, text: claim.text, html: claim.html });
      if (made.txCode) {
        const pin = pinMail(data, made.txCode, settings.mailLanguages);
        await (this.transport as Transporter).sendMail({ from: settings.mailFrom, to: address, subject: pin.subject, text: pin.text, html: pin.html });
      }
      await finishMail(ctx.db, job.id, { state: 'sent', outcome: made.txCode ? 'sent (PIN in a second message)' : 'sent' });
      ctx.logger.info(log, 'claim e-mail sent');
    } catch (e) {
      const failures = job.attempts + 1;
      const final = failures >= (this.options.maxAttempts ?? 8);
      const reason = scrub(`${(e as { responseCode?: number }).responseCode ? `SMTP ${(e as { responseCode?: number }).responseCode}: ` : ''}${(e as Error).message}`, address);
      await ctx.db.transaction(async (tx) => {
        const offer = await getOffer(tx, slug, made.row.id, true);
        if (offer?.state === 'open') await setOfferState(tx, offer, 'revoked', { actor: 'mail', reason: 'the e-mail was not delivered' });
      });
      await finishMail(ctx.db, job.id, { state: final ? 'failed' : 'pending', outcome: `${final ? 'failed' : 'will retry'}: ${reason}`, ...(final ? {} : { retryAt: this.retryAt(failures, now) }) });
      ctx.logger.warn({ ...log, attempt: failures, reason }, final ? 'claim e-mail failed; giving up' : 'claim e-mail failed; will retry');
    }
  }
}
