declare namespace App {
  interface Locals {
    requestId?: string;
    account?: import('./lib/auth/accounts.ts').AccountView;
    session?: import('./lib/auth/sessions.ts').Session;
  }
}
