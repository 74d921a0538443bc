import { PorticoError } from '../../errors.ts';

/**
 * A Kubernetes Secret before encryption. The plaintext lives only in this value, in memory, for
 * the one request that creates a key (DESIGN.md section 2); every encoder here returns ciphertext.
 */
export interface PlainSecret {
  name: string;
  namespace: string;
  /** Key to plaintext value, as in the Secret's `stringData`. */
  stringData: Record<string, string>;
  labels?: Record<string, string>;
}

// Kubernetes validation rules (apimachinery validation.go), checked here so a bad name fails at
// render time with a readable message instead of at apply time inside the cluster.
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Throws a PorticoError naming the first field of `secret` that Kubernetes would reject. */
export function assertPlainSecret(secret: PlainSecret): void {
  const where = `Secret ${JSON.stringify(secret.namespace)}/${JSON.stringify(secret.name)}`;
  if (typeof secret.name !== 'string' || secret.name.length > 253 || !DNS_SUBDOMAIN.test(secret.name)) {
    throw new PorticoError(`${where}: the name must be a DNS subdomain (lower-case letters, digits, '-' and '.', at most 253 characters).`);
  }
  if (typeof secret.namespace !== 'string' || secret.namespace.length > 63 || !DNS_LABEL.test(secret.namespace)) {
    throw new PorticoError(`${where}: the namespace must be a DNS label (lower-case letters, digits and '-', at most 63 characters).`);
  }
  const keys = Object.keys(secret.stringData ?? {});
  if (keys.length === 0) throw new PorticoError(`${where}: stringData is empty; there is nothing to encrypt.`);
  for (const key of keys) {
    if (key.length > 253 || !SECRET_KEY.test(key)) {
      throw new PorticoError(`${where}: the data key ${JSON.stringify(key)} may only hold letters, digits, '-', '_' and '.'.`);
    }
    if (typeof secret.stringData[key] !== 'string') {
      throw new PorticoError(`${where}: the value of ${JSON.stringify(key)} must be a string.`);
    }
  }
  for (const [key, value] of Object.entries(secret.labels ?? {})) {
    const slash = key.lastIndexOf('/');
    const prefix = slash === -1 ? '' : key.slice(0, slash);
    const name = slash === -1 ? key : key.slice(slash + 1);
    if ((prefix && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) || name.length > 63 || !LABEL_NAME.test(name)) {
      throw new PorticoError(`${where}: ${JSON.stringify(key)} is not a valid label key.`);
    }
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value)) {
      throw new PorticoError(`${where}: the value of label ${JSON.stringify(key)} is not a valid label value.`);
    }
  }
}

/** The entries of a string record sorted by key, so emitted documents never depend on insertion order. */
export function sortedEntries(record: Record<string, string> | undefined): [string, string][] {
  return Object.entries(record ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// A plain scalar only when every YAML parser (Go yaml.v3 in Flux and SOPS, YAML 1.1 and 1.2)
// reads it back as this exact string; everything else is double-quoted. JSON string syntax is a
// valid YAML double-quoted scalar.
const SAFE_PLAIN = /^[A-Za-z][-A-Za-z0-9_./]*$/;
const YAML_WORDS = /^(y|yes|n|no|true|false|on|off|null|nan|inf)$/i;
const SOPS_VALUE = /^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$/;

/** Writes `value` as a YAML scalar that reads back as the same string in every parser. */
export function yamlString(value: string): string {
  if ((SAFE_PLAIN.test(value) && !YAML_WORDS.test(value)) || SOPS_VALUE.test(value)) return value;
  return JSON.stringify(value);
}
