/**
 * The CEL rules (`x-kubernetes-validations`) of the CRDs Portico ships, checked by hand: each rule
 * text Portico knows is recognised and run as a small TypeScript check, so the build needs no CEL.
 */
import { isObject } from '../util/is-object.ts';
import { formatDocPath, type DocPath, type SchemaIssue } from './diagnostics.ts';
import { parseGoDuration } from './go-duration.ts';

type JsonObject = Record<string, unknown>;

/** What a hand-written CEL check finds: true (passes), false (fails at the rule's node), or failing sub-paths. */
type CelResult = boolean | DocPath[];

/** A CRD CEL rule Portico checks by hand. `rule` recognises the CEL text; `check` gets the value at the rule's node. */
interface CelCheck {
  rule: RegExp;
  check: (self: unknown) => CelResult;
  /** Turns the CRD's `message` into a sentence that names the field. */
  say?: (where: string, crdMessage: string, self: unknown, sub: DocPath) => string;
}

const sayPlain = (where: string, crdMessage: string): string => `${where}: ${crdMessage}`;

const has = (o: unknown, k: string): boolean => isObject(o) && o[k] !== undefined && o[k] !== null;
const quoted = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactRule = (text: string): RegExp => new RegExp(`^${quoted(text)}$`);

/** `self.matches(r"""re""")` and its negation: the regex is taken from the CRD text itself. */
function matchesRule(negated: boolean): CelCheck {
  return {
    rule: negated ? /^!self\.matches\(r"""(.*)"""\)$/ : /^self\.matches\(r"""(.*)"""\)$/,
    check: () => true, // replaced per rule by `celCheckFor`, which knows the regex
  };
}

/** `isURL(self)`: CEL's Kubernetes URL library accepts an absolute URI or an absolute path (Go url.ParseRequestURI). */
export function isCelUrl(s: unknown): boolean {
  if (typeof s !== 'string' || s === '' || /\s/.test(s)) return false;
  if (s.startsWith('/')) return true;
  return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(s) && URL.canParse(s);
}

/** `self.all(x, self.exists_one(y, x.name == y.name))`: reports each repeated entry's `name`. */
function duplicateNames(self: unknown): CelResult {
  if (!Array.isArray(self)) return true;
  const seen = new Set<unknown>();
  const repeats: DocPath[] = [];
  self.forEach((item, i) => {
    const name = isObject(item) ? item.name : undefined;
    if (seen.has(name)) repeats.push([i, 'name']);
    seen.add(name);
  });
  return repeats.length ? repeats : true;
}

function durationBetween(min: string, max?: string): (self: unknown) => CelResult {
  return (self) => {
    const s = parseGoDuration(self);
    if (s === undefined) return true; // the `duration` format error already says so
    return s >= parseGoDuration(min)! && (max === undefined || s <= parseGoDuration(max)!);
  };
}

const startsWithSlash: CelCheck = {
  rule: exactRule("self.startsWith('/')"),
  check: (self) => typeof self !== 'string' || self.startsWith('/'),
  say: (where, msg) => `${where} ${msg}`,
};
const noDotDot = matchesRule(true);
const semverRelease = matchesRule(false);
const matcherExclusive: CelCheck = {
  rule: exactRule('[has(self.path), has(self.pathPrefix), has(self.pathRegex)].filter(x, x).size() <= 1'),
  check: (self) => ['path', 'pathPrefix', 'pathRegex'].filter((k) => has(self, k)).length <= 1,
  say: (where, msg) => `${where}: ${msg}; a matcher takes only one of \`path\`, \`pathPrefix\`, \`pathRegex\``,
};
const isUrl: CelCheck = { rule: exactRule('isURL(self)'), check: (self) => self === undefined || isCelUrl(self), say: (where, msg) => `${where} ${msg}` };
const allUrls: CelCheck = {
  rule: exactRule('self.all(x, isURL(x))'),
  check: (self) => {
    if (!Array.isArray(self)) return true;
    const bad = self.flatMap((x, i) => (isCelUrl(x) ? [] : [[i] as DocPath]));
    return bad.length ? bad : true;
  },
  say: (where, _msg, self, sub) => `${where} must be a valid URL (got \`${String(Array.isArray(self) ? self[sub[0] as number] : self)}\`)`,
};
const refreshAtLeastOneMinute: CelCheck = {
  rule: exactRule("self >= duration('1m')"),
  check: durationBetween('1m'),
  say: (where, msg) => `${where} ${msg}`,
};
const pathOrUrl: CelCheck = {
  rule: exactRule('has(self.path) || has(self.url)'),
  check: (self) => has(self, 'path') || has(self, 'url'),
  say: (where, msg) => `${where} needs either \`path\` or \`url\` (${msg})`,
};
const positive: CelCheck = {
  rule: exactRule('self >= 0'),
  check: (self) => typeof self !== 'number' || self >= 0,
  say: (where, msg, self) => `${where} ${msg} (got ${String(self)})`,
};
const periodUpTo9999h: CelCheck = {
  rule: exactRule("self >= duration('1s') && self <= duration('9999h')"),
  check: durationBetween('1s', '9999h'),
  say: (where, msg, self) => `${where} ${msg} (got ${String(self)})`,
};
const periodUpTo1h: CelCheck = {
  rule: exactRule("self >= duration('1s') && self <= duration('1h')"),
  check: durationBetween('1s', '1h'),
  say: (where, msg, self) => `${where} ${msg} (got ${String(self)})`,
};
const uniqueNames: CelCheck = {
  rule: exactRule('self.all(x, self.exists_one(y, x.name == y.name))'),
  check: duplicateNames,
  say: (where, msg, self, sub) => {
    const name = Array.isArray(self) && typeof sub[0] === 'number' ? (self[sub[0]] as JsonObject | undefined)?.name : undefined;
    return `${where} \`${String(name)}\` is listed more than once (${msg})`;
  },
};
const everyoneXorGroups: CelCheck = {
  rule: exactRule('(has(self.everyone) && has(self.groups)) ? !(self.everyone && self.groups.size() > 0) : true'),
  check: (self) => {
    if (!isObject(self) || !has(self, 'everyone') || !has(self, 'groups')) return true;
    return !(self.everyone === true && Array.isArray(self.groups) && self.groups.length > 0) || [['groups']];
  },
  say: (where, msg) => `${where}: ${msg}; set \`everyone: true\` or list \`groups\`, not both`,
};
const groupsRequired: CelCheck = {
  rule: exactRule('(has(self.everyone) && self.everyone) || (has(self.groups) && self.groups.size() > 0)'),
  check: (self) => (isObject(self) && self.everyone === true) || (isObject(self) && Array.isArray(self.groups) && self.groups.length > 0),
  say: (where, msg) => `${where}: ${msg}; set \`everyone: true\` or list at least one group in \`groups\``,
};
const secretNameXorValue: CelCheck = {
  rule: exactRule('[has(self.secretName), has(self.value)].filter(x, x).size() <= 1'),
  check: (self) => !(has(self, 'secretName') && has(self, 'value')),
  say: (where, msg) => `${where}: ${msg}; give the key either as \`secretName\` or as \`value\``,
};
const contentXorLink: CelCheck = {
  rule: exactRule('[has(self.content), has(self.link)].filter(x, x).size() == 1'),
  check: (self) => ['content', 'link'].filter((k) => has(self, k)).length === 1,
  say: (where, msg) => `${where}: ${msg}`,
};

const OPENAPI_SPEC_RULES = [startsWithSlash, noDotDot, matcherExclusive, isUrl, refreshAtLeastOneMinute, pathOrUrl];

/** The CEL rules Portico checks, by kind. Messages come from each rule's `message` in the CRD. */
/** Kong's rules that read the resource as it is (the `oldSelf` ones only apply to updates). */
const kongConsumerNamed: CelCheck = { rule: exactRule('has(self.username) || has(self.custom_id)'), check: (self) => has(self, 'username') || has(self, 'custom_id') };
const kongPluginConfigXorFrom: CelCheck = { rule: exactRule('!(has(self.config) && has(self.configFrom))'), check: (self) => !(has(self, 'config') && has(self, 'configFrom')) };
const kongPluginFromXorPatches: CelCheck = { rule: exactRule('!(has(self.configFrom) && has(self.configPatches))'), check: (self) => !(has(self, 'configFrom') && has(self, 'configPatches')) };

const CEL_CHECKS: Readonly<Record<string, readonly CelCheck[]>> = {
  API: OPENAPI_SPEC_RULES,
  APIVersion: [...OPENAPI_SPEC_RULES, semverRelease],
  APIBundle: [uniqueNames],
  APIPlan: [positive, periodUpTo9999h, periodUpTo1h],
  APICatalogItem: [uniqueNames, everyoneXorGroups, groupsRequired],
  APIPortal: [allUrls],
  ContentItem: [isUrl, contentXorLink],
  ManagedApplication: [secretNameXorValue],
  ManagedSubscription: [uniqueNames, positive],
  KongConsumer: [kongConsumerNamed],
  KongPlugin: [kongPluginConfigXorFrom, kongPluginFromXorPatches],
};

function celCheckFor(kind: string, rule: string): CelCheck | undefined {
  for (const c of CEL_CHECKS[kind] ?? []) {
    const m = c.rule.exec(rule);
    if (!m) continue;
    if (c === noDotDot || c === semverRelease) {
      const re = new RegExp(m[1]!);
      const negated = c === noDotDot;
      return { ...c, check: (self) => typeof self !== 'string' || re.test(self) !== negated, say: (where, msg, self) => `${where} ${msg} (got \`${String(self)}\`)` };
    }
    return c;
  }
  return undefined;
}

/** Walks the (pruned) document beside its CRD schema and runs the hand-written CEL checks where the CRD declares rules. */
export function checkCelRules(kind: string, doc: unknown, schema: JsonObject): SchemaIssue[] {
  const issues: SchemaIssue[] = [];
  const visit = (value: unknown, node: JsonObject, path: DocPath): void => {
    if (value === undefined) return;
    const rules = Array.isArray(node['x-kubernetes-validations']) ? (node['x-kubernetes-validations'] as JsonObject[]) : [];
    for (const r of rules) {
      const text = String(r.rule ?? '')
        .replace(/\s+/g, ' ')
        .trim();
      const c = celCheckFor(kind, text);
      if (!c) continue;
      const result = c.check(value);
      if (result === true) continue;
      const message = typeof r.message === 'string' ? r.message : `failed rule ${text}`;
      for (const sub of result === false ? [[] as DocPath] : result) {
        const at = [...path, ...sub];
        const where = formatDocPath(at) || 'the resource';
        issues.push({ path: at, message: (c.say ?? sayPlain)(where, message, value, sub) });
      }
    }
    if (Array.isArray(value) && isObject(node.items)) value.forEach((v, i) => visit(v, node.items as JsonObject, [...path, i]));
    else if (isObject(value)) {
      const properties = isObject(node.properties) ? node.properties : {};
      for (const [k, v] of Object.entries(value)) {
        const child = properties[k] ?? node.additionalProperties;
        if (isObject(child)) visit(v, child, [...path, k]);
      }
    }
  };
  visit(doc, schema, []);
  return issues;
}
