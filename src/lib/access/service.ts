import type { Database } from '../db/client.ts';
import { createApplicationService } from './applications.ts';
import { createApprovalService } from './approvals.ts';
import { createKeyService } from './keys.ts';
import type { AccessOptions } from './requests.ts';
import { createSubscriptionService } from './subscriptions.ts';
import { createKeySweep } from './sweep.ts';

/**
 * Applications, subscriptions and keys. Every change that Git must enforce is written together with
 * its outbox row in one transaction: the writer can never miss it, and renders whole states, so it
 * can never apply it twice.
 */
export function createAccessService(db: Database, options: AccessOptions) {
  return {
    ...createApplicationService(db, options),
    ...createSubscriptionService(db),
    ...createKeyService(db, options),
    ...createApprovalService(db),
    ...createKeySweep(db),
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
