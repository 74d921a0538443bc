// The admin area's view of the access workflow, in the shapes of the admin API
// (GET /api/v1/admin/requests, /drift, /outbox). Plain TypeScript: no Astro, no DOM.
import type { When } from '../status.ts';

export interface AccessRequestView {
  requestId: string;
  subscriptionId: string;
  applicationId: string;
  applicationName: string;
  owner: { id: string; email: string };
  offer: string;
  plan: string;
  status: string;
  /** Who approved or rejected it, and why. */
  statusReason?: string | null;
  branch?: string | null;
  /** The commit on `branch` that proposes the grant, once the writer pushed it. */
  proposedCommit?: string | null;
  createdAt: When;
}

export interface DriftView {
  kind: 'subscription' | 'key' | string;
  id: string;
  applicationId?: string | null;
  database: string;
  git: 'present' | 'absent' | string;
  reason: string;
  commit?: string | null;
}

export interface OutboxRowView {
  requestId: string;
  consumerId: string;
  summary: string;
  createdAt: When;
  commit?: string | null;
  publishedAt?: When;
  attempts: number;
  lastError?: string | null;
}
