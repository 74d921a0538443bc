export { computeAccessMatrix, type AccessMatrix, type AccessEntry, type GrantEntry } from './access.ts';
export { compareVersions, type OperationChange } from './breaking.ts';
export { computeImpact, type ImpactReport } from './diff.ts';
export { impactToMarkdown } from './markdown.ts';
export { impactBetween } from './impact.ts';
