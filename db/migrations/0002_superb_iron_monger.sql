ALTER TABLE "api_keys" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "status_commit" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "status_reason" text;--> statement-breakpoint
ALTER TABLE "subscriptions" ADD COLUMN "status_commit" text;