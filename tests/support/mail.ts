import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * The mail a portal delivered to `to` as files in its data directory (what it does without a mail
 * server), oldest first; with `subject`, only mail with that subject.
 */
export function mailTo(dataDir: string, to: string, subject?: string): string[] {
  const dir = path.join(dataDir, 'mail');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((f) => readFileSync(path.join(dir, f), 'utf8'))
    .filter((text) => text.includes(`\nTo: ${to}\n`) && (subject === undefined || text.includes(`\nSubject: ${subject}\n`)));
}

/** The token of the newest link of this kind (`verify-email` or `reset-password`) mailed to `to`. */
export function mailedToken(dataDir: string, to: string, purpose: 'verify-email' | 'reset-password' = 'verify-email'): string {
  const subject = purpose === 'verify-email' ? 'Confirm your email address' : 'Reset your password';
  const mail = mailTo(dataDir, to, subject).at(-1);
  const token = mail && new RegExp(`/account/${purpose}\\?token=([A-Za-z0-9]+\\.[A-Za-z0-9]+)`).exec(mail)?.[1];
  if (!token) throw new Error(`no "${subject}" mail to ${to} in ${dataDir}/mail`);
  return token;
}

type Call = (method: string, path: string, body?: unknown) => Promise<{ status: number; body?: any; text?: string }>;

/**
 * Signs up as a person does: asks for an account (202), opens the link mailed to the address, and
 * confirms it, which signs in the client that `call` belongs to. Returns the confirmed account.
 * `apiPrefix` is what the client puts before `/auth/...` ('' for clients that add /api/v1 themselves).
 */
export async function signUpConfirmed(call: Call, dataDir: string, email: string, password: string, apiPrefix = '/api/v1'): Promise<any> {
  const asked = await call('POST', `${apiPrefix}/auth/signup`, { email, password });
  if (asked.status !== 202) throw new Error(`sign-up of ${email} answered ${asked.status}: ${asked.text ?? JSON.stringify(asked.body)}`);
  const confirmed = await call('POST', `${apiPrefix}/auth/verify-email`, { token: mailedToken(dataDir, email), password });
  if (confirmed.status !== 200) throw new Error(`confirming ${email} answered ${confirmed.status}: ${confirmed.text ?? JSON.stringify(confirmed.body)}`);
  return confirmed.body.account;
}

/**
 * Signs up in the browser as a person does: the sign-up form, the "check your mail" answer, the
 * link from the mail opened in the same browser, and its "Confirm and sign in" button; ends on the
 * account page.
 */
export async function signUpInBrowser(page: Page, base: string, dataDir: string, email: string, password: string): Promise<void> {
  await page.goto(`${base}/account/sign-up/`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Check your mail').waitFor();
  await page.goto(`${base}/account/verify-email?token=${mailedToken(dataDir, email)}`);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
  await page.waitForURL(`${base}/account/`);
}
