/**
 * A real SMTP server for the mail tests (smtp-server on 127.0.0.1, no TLS, no authentication), keeping every
 * message it takes, parsed with mailparser.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import type { ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';

export interface TestSmtp {
  /** `smtp://127.0.0.1:PORT`, for SMTP_URL. */
  url: string;
  /** The messages taken so far, in order. */
  received: ParsedMail[];
  close(): Promise<void>;
}

/**
 * Starts the server; `onRcptTo` may refuse a recipient (call back with an error carrying `responseCode`).
 *
 * @example
 * ```ts
 * const smtp = await startSmtp();
 * const h = await startWallet({ smtpUrl: smtp.url });
 * ```
 */
export async function startSmtp(options: { onRcptTo?(address: SMTPServerAddress, session: SMTPServerSession, cb: (err?: Error | null) => void): void } = {}): Promise<TestSmtp> {
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    ...(options.onRcptTo ? { onRcptTo: options.onRcptTo } : {}),
    onData(stream, _session, cb) {
      simpleParser(stream).then((m) => {
        received.push(m);
        cb();
      }, cb);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
