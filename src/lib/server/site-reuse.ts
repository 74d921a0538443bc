import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findKustomize } from '../catalog/kustomize.ts';
import { type Config, repositorySettings } from '../config.ts';
import { repositoryOf } from '../docs/guide-links.ts';
import { filesFingerprint, readBuildInfo, type SiteBuildInfo } from './site-build-info.ts';

/** The folders and files of Portico itself that a built site is made from (its pages, its server, their packages). */
const CODE_PATHS = ['src', 'public', 'db', 'astro.config.mjs', 'package.json', 'package-lock.json', 'tsconfig.json'];

/**
 * A hash of everything besides the content that a built site depends on: Portico's own code and
 * packages, and the settings the build reads (where the demo gateway answers, offline mode, the
 * cluster and the kustomize binary the content is rendered with, the portal's own folder, and the
 * Git remote and branch that guides link to). Two builds with the same inputs and the same content
 * fingerprint make the same site. `env` is where the settings outside `config` are read.
 */
export function siteInputs(config: Config, projectRoot: string, env: Record<string, string | undefined> = process.env): string {
  const repository = repositorySettings(env);
  const kustomize = findKustomize(repository.kustomize);
  const settings = {
    demoGatewayUrl: config.demoGatewayUrl ?? null,
    offline: config.offline,
    cluster: repository.cluster ?? null,
    kustomize: 'label' in kustomize ? kustomize.label : null,
    portalFolder: repository.portalFolder,
    repository: repositoryOf(config.contentDir) ?? null,
  };
  return createHash('sha256').update(filesFingerprint(projectRoot, CODE_PATHS)).update(JSON.stringify(settings)).digest('hex');
}

/** Whether `portico start` may serve the site already in `siteDir` instead of building it again, and if not, why. */
export type ReuseDecision = { reuse: true; info: SiteBuildInfo } | { reuse: false; why?: string };

/**
 * A site is reused when it was built, whole, from the same content and the same inputs, and fetched
 * no spec from a URL (the document there may have changed; in offline mode the kept copy is all a
 * build would read, so such a site is reused too). `why` is unset when there is no site yet.
 */
export function decideReuse(siteDir: string, fingerprint: string, inputs: string, offline: boolean): ReuseDecision {
  const info = readBuildInfo(siteDir);
  if (!info || !existsSync(path.join(siteDir, 'server', 'entry.mjs')) || !existsSync(path.join(siteDir, 'client'))) return { reuse: false };
  if (info.contentFingerprint !== fingerprint) return { reuse: false, why: 'the content changed since the last build' };
  if (info.inputs !== inputs) return { reuse: false, why: 'Portico or a build setting changed since the last build' };
  if (info.specUrls?.length && !offline)
    return { reuse: false, why: `the content names ${info.specUrls.length === 1 ? 'a spec URL' : `${info.specUrls.length} spec URLs`}, fetched again at each start` };
  return { reuse: true, info };
}
