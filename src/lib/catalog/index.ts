export type * from './model.ts';
export type { Diagnostic, Severity } from './diagnostics.ts';
export { formatDocPath } from './diagnostics.ts';
export { loadCatalog, selectorMatches, compareReleasesDesc, type LoadCatalogOptions } from './load.ts';
export { parseGoDuration } from './crd-schema.ts';
export { operationMatchesSet, deriveOperationId } from './openapi.ts';
export { followLocalRef, MAX_REF_HOPS, resolveLocalRef } from './local-ref.ts';
export { summariseCatalog, describeLimit, type CatalogSummary } from './summary.ts';
