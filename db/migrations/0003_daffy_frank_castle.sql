ALTER TABLE "api_keys" ADD COLUMN "replaces" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "retire_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "action" text DEFAULT 'render' NOT NULL;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "branch" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "request_id" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "replaces" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "branch" text;