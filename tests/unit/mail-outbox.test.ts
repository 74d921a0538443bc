import { describe, expect, it } from 'vitest';
import { outboxBody } from '../../src/lib/auth/mail.ts';

describe('what the mail outbox keeps', () => {
  const mail = { to: 'a@example.test', subject: 'Reset your password', body: 'Open http://portal/account/reset-password?token=abc.def to reset.', secrets: ['abc.def'] };

  it('keeps the whole mail when it is the only delivery (no mail server)', () => {
    expect(outboxBody(mail, false)).toBe(mail.body);
  });

  it('blanks one-time secrets once a mail server delivered the mail', () => {
    expect(outboxBody(mail, true)).toBe('Open http://portal/account/reset-password?token=[removed: sent by mail] to reset.');
  });
});
