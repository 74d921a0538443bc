declare namespace App {
  interface Locals {
    /** Set by the middleware for every on-demand request: the X-Request-Id header and every log line about it. */
    requestId?: string;
    account?: import('./lib/auth/accounts.ts').AccountView;
    session?: import('./lib/auth/sessions.ts').Session;
  }
}
