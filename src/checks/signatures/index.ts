// signatures: the registry's ECDSA P-256 signatures of each resolved version
// (`dist.signatures`, over `<name>@<version>:<integrity>`) verified against
// the keys the registry publishes (`-/npm/v1/keys`), as `npm audit signatures`
// does through pacote: a signature that does not verify means the version's
// metadata (its integrity, so its tarball) is not what the registry signed;
// a version without a signature on a registry that signs was not published
// through it as the others were. A key's `expires` is judged against the
// version's publish time, as pacote judges it.
//
// Cost: the signatures are in the abbreviated packument the other registry
// checks read, and the keys are one small request per registry, cached.
// Only a version signed with a key that has an expiry, of a package changed
// since that expiry, needs its publish time: then the full packument (which
// the publisher check reads anyway).

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { verify } from 'node:crypto';
import { registryFor } from '../../enrich/npm-config.js';
import type { NodePackument } from '../../enrich/registry-packuments.js';
import { publicKey, type RegistryKey } from '../../enrich/registry-keys.js';
import type { RegistrySignature } from '../../enrich/packument.js';
import type { KeysAnswer } from '../../enrich/stage.js';
import { packageRef } from '../../model.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

export type SignatureVerdict =
  | { status: 'verified'; keyid: string }
  | { status: 'invalid'; keyid: string; sig: string }
  | { status: 'untrusted-key'; keyid: string; reason: 'unknown' | 'expired'; expires?: string; published?: string }
  | { status: 'missing' }
  | { status: 'no-integrity' };

/** The message the registry signs. */
export function signedMessage(name: string, version: string, integrity: string): string {
  return `${name}@${version}:${integrity}`;
}

/** Whether a key was valid when a version was published (pacote: no expiry, or published before it). */
function validAt(key: RegistryKey, published: string | null): boolean {
  if (key.expires === null) return true;
  // pacote's fallback for a version without a publish time.
  return Date.parse(published ?? '2015-01-01T00:00:00.000Z') < Date.parse(key.expires);
}

/** Every signature of a version checked, the first problem wins (pacote stops at the first, too). */
export function judgeSignatures(name: string, version: string, integrity: string | null, signatures: RegistrySignature[], keys: RegistryKey[], published: string | null): SignatureVerdict {
  if (signatures.length === 0) return { status: 'missing' };
  if (integrity === null || integrity.startsWith('sha1-')) return { status: 'no-integrity' };
  const message = Buffer.from(signedMessage(name, version, integrity));
  let verified: string | null = null;
  for (const signature of signatures) {
    const key = keys.find((candidate) => candidate.keyid === signature.keyid);
    if (!key) return { status: 'untrusted-key', keyid: signature.keyid, reason: 'unknown' };
    if (!validAt(key, published)) return { status: 'untrusted-key', keyid: signature.keyid, reason: 'expired', expires: key.expires!, ...(published ? { published } : {}) };
    const object = publicKey(key);
    let valid = false;
    try {
      valid = object !== null && verify('sha256', message, object, Buffer.from(signature.sig, 'base64'));
    } catch {
      valid = false;
    }
    if (!valid) return { status: 'invalid', keyid: signature.keyid, sig: signature.sig };
    verified ??= signature.keyid;
  }
  return { status: 'verified', keyid: verified! };
}

/** The expiries of the keys a version's signatures name. */
function expiries(found: NodePackument, keys: readonly RegistryKey[]): string[] {
  return found.version.signatures.map((signature) => keys.find((key) => key.keyid === signature.keyid)?.expires ?? null).filter((expires): expires is string => expires !== null);
}

/** Whether the abbreviated packument's `modified` settles every expiry: the whole package is older than each. */
function settledByModified(found: NodePackument, keys: readonly RegistryKey[]): boolean {
  const modified = Date.parse(found.packument.modified ?? '');
  return !Number.isNaN(modified) && expiries(found, keys).every((expires) => modified < Date.parse(expires));
}

/**
 * Whether the version's publish time must be read from the full packument
 * (the enrich stage's refinement): only when a key its signatures name has
 * an expiry and the package changed since.
 */
function needsPublishTime(found: NodePackument, keys: KeysAnswer | undefined): boolean {
  if (found.version.published !== null || !keys || !('keys' in keys) || !keys.keys) return false;
  return expiries(found, keys.keys).length > 0 && !settledByModified(found, keys.keys);
}

/** The version's publish time when a signing key's expiry makes it matter (the full packument's, else the abbreviated one's `modified` when that settles it). */
function publishTime(found: NodePackument, keys: RegistryKey[]): string | null {
  if (found.version.published !== null) return found.version.published;
  if (expiries(found, keys).length === 0) return null;
  return settledByModified(found, keys) ? found.packument.modified : null;
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Names or globs not judged (nor looked up). */
    ignore: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'package names or globs not to judge (nor look up)' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { ignore: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'signatures',
    description: "Registry signatures of the resolved versions (dist.signatures, ECDSA P-256 over name@version:integrity) verified against the registry's published keys, as `npm audit signatures` does.",
    rules: {
      invalid: {
        description: "A registry signature of the resolved version does not verify with the registry's key: the version's metadata (its integrity, hence its tarball) is not what the registry signed.",
        severity: 'critical',
        message: "{name}@{version} has an invalid registry signature (key {keyid}): its integrity is not what {registry} signed",
      },
      missing: {
        description: 'The resolved version has no registry signature although its registry publishes signing keys.',
        severity: 'high',
        message: '{name}@{version} has no registry signature although {registry} signs the packages it serves',
      },
      'untrusted-key': {
        description: 'The resolved version is signed with a key the registry does not publish, or with one that had expired when the version was published.',
        severity: 'high',
        message: '{name}@{version} is signed with {why}',
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry'],
    enrich: {
      keys: true,
      packuments: {
        select: (node, options) => !matchesNamePattern(node.packageName, (options as Options).ignore ?? []),
        full: (found, node, _options, run) => needsPublishTime(found, run.keys.get(registryFor(run.registries, node.packageName))),
      },
    },
    enabledByDefault: false,
  },

  run(ctx) {
    const unsigned = new Map<string, number>();
    const unavailable = new Map<string, { count: number; message: string }>();
    let verified = 0;
    const verdicts = [...ctx.enriched.packuments].map(([node, found]) => {
      const registry = registryFor(ctx.registries, node.packageName);
      const set = ctx.enriched.keys.get(registry) ?? { error: 'not fetched' };
      if ('error' in set) {
        const seen = unavailable.get(registry) ?? { count: 0, message: set.error };
        seen.count++;
        unavailable.set(registry, seen);
        return null;
      }
      if (set.keys === null || set.keys.length === 0) {
        unsigned.set(registry, (unsigned.get(registry) ?? 0) + 1);
        return null;
      }
      const published = publishTime(found, set.keys);
      return { node, registry, integrity: found.version.integrity, verdict: judgeSignatures(node.packageName, node.version, found.version.integrity, found.version.signatures, set.keys, published) };
    });
    for (const entry of verdicts) {
      if (!entry) continue;
      const { node, registry, verdict } = entry;
      const base = { name: node.packageName, version: node.version, registry };
      switch (verdict.status) {
        case 'verified':
          verified++;
          break;
        case 'invalid':
          ctx.report({ rule: 'invalid', node, data: { ...base, keyid: verdict.keyid }, evidence: { registry, keyid: verdict.keyid, signature: verdict.sig, signed: signedMessage(node.packageName, node.version, entry.integrity ?? '') } });
          break;
        case 'missing':
          ctx.report({ rule: 'missing', node, data: base, evidence: { registry, signatures: [] } });
          break;
        case 'untrusted-key':
          ctx.report({
            rule: 'untrusted-key',
            node,
            data: { ...base, why: verdict.reason === 'unknown' ? `the key ${verdict.keyid}, which ${registry} does not publish` : `the key ${verdict.keyid}, which expired on ${verdict.expires} before the version was published${verdict.published ? ` (${verdict.published})` : ''}` },
            evidence: { registry, keyid: verdict.keyid, reason: verdict.reason, ...(verdict.expires ? { expires: verdict.expires } : {}), ...(verdict.published ? { published: verdict.published } : {}) },
          });
          break;
        case 'no-integrity':
          ctx.diagnostic({ level: 'warning', code: 'SIGNATURES_NO_INTEGRITY', message: `${node.packageName}@${node.version}: the registry gives no sha512 integrity, so its signature was not checked`, package: packageRef(node) });
          break;
      }
    }
    for (const [registry, count] of unsigned) {
      ctx.diagnostic({ level: 'warning', code: 'SIGNATURES_NO_KEYS', message: `${registry} publishes no signing keys (-/npm/v1/keys): the signatures of ${count} package${count === 1 ? '' : 's'} from it were not checked` });
    }
    for (const [registry, { count, message }] of unavailable) {
      ctx.diagnostic({ level: 'error', code: 'SIGNATURES_KEYS_UNAVAILABLE', message: `the signing keys of ${registry} could not be had (${message}): the signatures of ${count} package${count === 1 ? '' : 's'} from it were not checked` });
    }
    ctx.data('summary', { verified, unsigned: [...unsigned.values()].reduce((a, b) => a + b, 0) });
  },
});
