import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalRemote } from '../../src/lib/gitops/git.ts';

/** Stands in for SOPS/age in writer tests: the writer only carries whatever ciphertext the key step produced. */
export const fakeCiphertext = (_key: string, keyId: string) =>
  `apiVersion: v1\nkind: Secret\nmetadata:\n  name: key-${keyId.toLowerCase()}\nstringData:\n  token: ENC[AES256_GCM,data:opaque,type:str]\n`;

/** A new bare Git remote under `work`, seeded with one commit of a README: a platform team's empty repository. */
export async function emptyRemote(work: string): Promise<string> {
  const dir = mkdtempSync(path.join(work, 'remote-'));
  const content = path.join(dir, 'content');
  mkdirSync(content);
  writeFileSync(path.join(content, 'README.md'), 'platform repo\n');
  return ensureLocalRemote(path.join(dir, 'remote.git'), content);
}
