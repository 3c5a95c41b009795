/**
 * Why a claim e-mail is not sent, as recorded on its outbox row and shown in the API views. One place, because the
 * single issuing path, the bulk job path and the views all write or compare them.
 */
export const MAIL_NOT_SENT = {
  noSmtp: 'not sent: SMTP is not configured (SMTP_URL)',
  noAddress: 'not sent: the record has no e-mail address',
  noFrom: "not sent: the issuer has no from address (claim settings 'mailFrom')",
} as const;
