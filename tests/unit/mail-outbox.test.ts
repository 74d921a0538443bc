import { describe, expect, it } from 'vitest';
import { outboxBody } from '../../src/lib/auth/mail.ts';

describe('what the mail outbox keeps', () => {
  const mail = { to: 'a@example.test', subject: 'Reset your password', body: 'Open http://portal/account/reset-password?token=abc.def to reset.', secrets: ['abc.def'] };

  it('blanks one-time secrets: a link is for the addressee only, never for whoever reads the outbox', () => {
    expect(outboxBody(mail)).toBe('Open http://portal/account/reset-password?token=[removed: sent to the addressee only] to reset.');
  });

  it('keeps a mail without secrets whole', () => {
    expect(outboxBody({ ...mail, secrets: undefined })).toBe(mail.body);
  });
});
