import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** A person who uses the portal: a consumer, or an admin of the platform team. */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    /** Lower-cased; unique. */
    email: text('email').notNull(),
    emailVerified: boolean('email_verified').notNull().default(false),
    /** argon2id; null for accounts that only sign in through an identity provider. */
    passwordHash: text('password_hash'),
    displayName: text('display_name'),
    /** Groups an admin assigned (password accounts have no identity provider to say). */
    assignedGroups: text('assigned_groups').array().notNull().default(sql`'{}'::text[]`),
    /** Groups the identity provider gave at the last sign-in. */
    providerGroups: text('provider_groups').array().notNull().default(sql`'{}'::text[]`),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('accounts_email_unique').on(t.email)],
);

/**
 * Sessions as in Lucia's published design: the token is `id.secret`; only a SHA-256 of the secret
 * is stored, so a copy of this table lets nobody sign in.
 */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  },
  (t) => [index('sessions_account_idx').on(t.accountId)],
);

/** Personal access tokens for scripts: `Authorization: Bearer pat_<id>.<secret>`, stored hashed. */
export const personalAccessTokens = pgTable(
  'personal_access_tokens',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    createdAt: createdAt(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('pat_account_idx').on(t.accountId)],
);

/** An account's identity at an external provider (OIDC issuer or GitHub). */
export const identities = pgTable(
  'identities',
  {
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.subject] })],
);

/** One-time links sent by email (verify the address, reset the password); stored hashed. */
export const emailTokens = pgTable('email_tokens', {
  id: text('id').primaryKey(),
  accountId: text('account_id')
    .notNull()
    .references(() => accounts.id, { onDelete: 'cascade' }),
  purpose: text('purpose', { enum: ['verify-email', 'reset-password'] }).notNull(),
  secretHash: text('secret_hash').notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, mode: 'date' }),
});

/** Mail the portal sent or, with no SMTP server configured, kept here for the admin area and the console. */
export const mailOutbox = pgTable('mail_outbox', {
  id: text('id').primaryKey(),
  to: text('to').notNull(),
  subject: text('subject').notNull(),
  body: text('body').notNull(),
  createdAt: createdAt(),
  /** Set when an SMTP server accepted it. */
  sentAt: timestamp('sent_at', { withTimezone: true, mode: 'date' }),
});

/** Fixed-window counters for rate limits, shared by every portal instance on the database. */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  count: integer('count').notNull(),
  resetAt: timestamp('reset_at', { withTimezone: true, mode: 'date' }).notNull(),
});

/** A consumer's application: what keys and subscriptions belong to, and the gateway's appId. */
export const applications = pgTable(
  'applications',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => accounts.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    /** Namespace its manifests go to (the namespace of the offers it subscribes to). */
    namespace: text('namespace').notNull(),
    createdAt: createdAt(),
    /** Set when the owner deletes it; its grants are removed from Git through the outbox. */
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [index('applications_owner_idx').on(t.ownerId)],
);

/** An application's subscription to an offer (catalog item) on a plan. */
export const subscriptions = pgTable('subscriptions', {
  id: text('id').primaryKey(),
  applicationId: text('application_id')
    .notNull()
    .references(() => applications.id, { onDelete: 'cascade' }),
  offer: text('offer').notNull(),
  plan: text('plan').notNull(),
  apis: text('apis').array().notNull().default(sql`'{}'::text[]`),
  bundles: text('bundles').array().notNull().default(sql`'{}'::text[]`),
  operationFilter: text('operation_filter').array().notNull().default(sql`'{}'::text[]`),
  /** pending-approval, committing, committed, active, revoking, revoked, rejected. */
  status: text('status').notNull(),
  /** The request that asked for it: the `Portico-Request` trailer, and the approval branch's name. */
  requestId: text('request_id'),
  /** A change of plan: the subscription this one replaces, ended in the same commit. */
  replaces: text('replaces'),
  /** Pull-request approval: the branch `portico/<request-id>` the grant waits on, while it waits. */
  branch: text('branch'),
  /** Why the status is what it is, in words (e.g. which commit removed it from Git). */
  statusReason: text('status_reason'),
  /** The commit the status refers to. */
  statusCommit: text('status_commit'),
  createdAt: createdAt(),
  endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
});

/** Key metadata: id, hash, status. Never the key (it exists only in the response that shows it). */
export const apiKeys = pgTable(
  'api_keys',
  {
    keyId: text('key_id').primaryKey(),
    applicationId: text('application_id')
      .notNull()
      .references(() => applications.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    title: text('title').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, mode: 'date' }),
    /** The encrypted Secret for gateways that need the key itself; ciphertext only. */
    encryptedSecret: text('encrypted_secret'),
    /** committing, committed, active, suspended, revoking, revoked. */
    status: text('status').notNull(),
    /** Rotation: the key this one replaces. */
    replaces: text('replaces'),
    /** Rotation: when this (old) key leaves Git; the sweeper queues its removal then. */
    retireAt: timestamp('retire_at', { withTimezone: true, mode: 'date' }),
    statusReason: text('status_reason'),
    statusCommit: text('status_commit'),
    createdAt: createdAt(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [uniqueIndex('api_keys_sha256_unique').on(t.sha256)],
);

/**
 * Grant changes waiting for the Git writer, written in the same transaction as the change itself,
 * so a change is never lost and never published twice (the writer renders the whole state).
 */
export const outbox = pgTable(
  'outbox',
  {
    id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
    requestId: text('request_id').notNull(),
    consumerId: text('consumer_id').notNull(),
    summary: text('summary').notNull(),
    createdAt: createdAt(),
    /** The commit that carries the change, once pushed (or the tip that already had it). */
    commit: text('commit'),
    publishedAt: timestamp('published_at', { withTimezone: true, mode: 'date' }),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /**
     * What the writer does: `render` the whole state onto the target branch (the default), `propose`
     * it with one pending grant on `branch`, `merge` `branch` (an approval), or `close` `branch` (a rejection).
     */
    action: text('action', { enum: ['render', 'propose', 'merge', 'close'] })
      .notNull()
      .default('render'),
    branch: text('branch'),
  },
  (t) => [index('outbox_pending_idx').on(t.publishedAt, t.id)],
);
