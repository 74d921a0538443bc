import { desc } from 'drizzle-orm';
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
 * What the outbox keeps of a mail. Without a mail server the outbox is the delivery (the demo's
 * admin area and console), so it keeps the whole body; with one, the secrets are blanked, so a
 * copy of the database holds no usable link.
 */
export function outboxBody(mail: Mail, delivered: boolean): string {
  if (!delivered) return mail.body;
  return (mail.secrets ?? []).reduce((body, secret) => body.split(secret).join('[removed: sent by mail]'), mail.body);
}

/** Sends mail. Every message is also kept in the outbox, which the admin area shows. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

export interface MailerOptions {
  /** smtp:// or smtps:// URL; without it mail stays in the local outbox and is printed to the console. */
  smtpUrl?: string;
  from: string;
  log?: (line: string) => void;
}

/** The mailer for a deployment: SMTP when configured, otherwise the local outbox only. */
export function createMailer(db: Database, options: MailerOptions): Mailer {
  let transport: Promise<{ sendMail(m: object): Promise<unknown> }> | undefined;
  return {
    async send(mail) {
      const id = generateSecureRandomString();
      await db.insert(mailOutbox).values({ id, to: mail.to, subject: mail.subject, body: outboxBody(mail, !!options.smtpUrl) });
      if (!options.smtpUrl) {
        // No mail server: the message is in the outbox (admin area) and on the console, so the flow works end to end.
        options.log?.(`mail to ${mail.to}: ${mail.subject}\n${mail.body}`);
        return;
      }
      transport ??= import('nodemailer').then((m) => m.default.createTransport(options.smtpUrl));
      await (await transport).sendMail({ from: options.from, to: mail.to, subject: mail.subject, text: mail.body });
      const { eq } = await import('drizzle-orm');
      await db.update(mailOutbox).set({ sentAt: new Date() }).where(eq(mailOutbox.id, id));
    },
  };
}

/** The newest messages in the outbox, newest first. */
export function listOutbox(db: Database, limit = 50) {
  return db.select().from(mailOutbox).orderBy(desc(mailOutbox.createdAt)).limit(limit);
}
