import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { desc, eq } from 'drizzle-orm';
import { mailOutbox } from '../../../db/schema.ts';
import type { Database } from '../db/client.ts';
import { generateSecureRandomString } from './tokens.ts';

export interface Mail {
  to: string;
  subject: string;
  body: string;
  /** One-time secrets in the body (link tokens): kept out of the stored copy once a mail server delivers the mail. */
  secrets?: string[];
}

/**
 * What the outbox (database, admin area, log) keeps of a mail: the body with its one-time secrets
 * blanked. A confirmation or reset link is for the person it was sent to only: an admin who could
 * read it could confirm an address that is not theirs or take over the account.
 */
export function outboxBody(mail: Mail): string {
  return (mail.secrets ?? []).reduce((body, secret) => body.split(secret).join('[removed: sent to the addressee only]'), mail.body);
}

/**
 * Without a mail server, mail is delivered as a file in `dir` (the data directory's `mail/`),
 * readable only by the user running the portal: the operator of a local portal reads their links
 * there, and nobody reads them over HTTP. Returns the file's path.
 */
export function deliverToFile(dir: string, mail: Mail, from: string, now = new Date()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const slug = mail.to.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  const file = path.join(dir, `${stamp}-${slug}-${generateSecureRandomString().slice(0, 6)}.txt`);
  writeFileSync(file, `From: ${from}\nTo: ${mail.to}\nSubject: ${mail.subject}\nDate: ${now.toUTCString()}\n\n${mail.body}\n`, { mode: 0o600 });
  return file;
}

/** Sends mail. Every message is also kept in the outbox (its secrets blanked), which the admin area shows. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL; without it mail is delivered as files in `mailDir`. */
  smtpUrl?: string;
  /** Where mail goes without a mail server (a folder only the portal's user can read). */
  mailDir: string;
  from: string;
  /** Told of each mail kept as a file: the recipient, the subject and the file (never the body). */
  log?: (line: string) => void;
}

/** The mailer for a deployment: SMTP when configured, otherwise the local outbox only. */
export function createMailer(db: Database, options: MailerOptions): Mailer {
  let transport: Promise<{ sendMail(m: object): Promise<unknown> }> | undefined;
  return {
    async send(mail) {
      const id = generateSecureRandomString();
      await db.insert(mailOutbox).values({ id, to: mail.to, subject: mail.subject, body: outboxBody(mail) });
      if (!options.smtpUrl) {
        const file = deliverToFile(options.mailDir, mail, options.from);
        await db.update(mailOutbox).set({ sentAt: new Date() }).where(eq(mailOutbox.id, id));
        options.log?.(`mail to ${mail.to} (${mail.subject}) is in ${file}: no mail server is configured (PORTICO_SMTP_URL)`);
        return;
      }
      transport ??= import('nodemailer').then((m) => m.default.createTransport(options.smtpUrl));
      await (await transport).sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.body });
      await db.update(mailOutbox).set({ sentAt: new Date() }).where(eq(mailOutbox.id, id));
    },
  };
}

/** The newest messages in the outbox, newest first. */
export function listOutbox(db: Database, limit = 50) {
  return db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt)).limit(limit);
}
