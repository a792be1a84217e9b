// A registry's signing keys (`GET <registry>-/npm/v1/keys`, the document
// `npm audit signatures` reads when Sigstore's TUF repository has none for the
// registry): `{ keys: [{ keyid, keytype, scheme, key (base64 SPKI), expires }] }`.
// Kept in a small cache file per registry under `<npm cache>/_depguard/keys/`,
// trusted for --max-age like the compact packuments (any age --offline or
// --prefer-offline), so a warm run asks nothing. A registry that answers 404
// or 400 publishes no keys: that answer is cached too.

import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeCacheFile } from '../util/atomic-write.js';
import { isJsonObject } from '../util/json.js';
import { isRegistryError, type RegistryClient } from './registry-client.js';

export interface RegistryKey {
  keyid: string;
  keytype: string;
  scheme: string;
  /** Base64 of the DER SubjectPublicKeyInfo, as the registry serves it. */
  key: string;
  /** ISO time after which signatures made with it are not trusted (judged against the publish time); null: never. */
  expires: string | null;
}

export interface RegistryKeySet {
  registry: string;
  /** null: the registry publishes no keys (404/400), so its signatures cannot be checked. */
  keys: RegistryKey[] | null;
  /** Where the answer came from this run. */
  source: 'registry' | 'cache';
}

const FORMAT = 1;
export const KEYS_PATH = '-/npm/v1/keys';

/** The keys of a `{ keys: [...] }` document; entries without a keyid or a key are left out. */
export function parseKeys(data: unknown): RegistryKey[] {
  const list = isJsonObject(data) && Array.isArray(data.keys) ? data.keys : [];
  return list.flatMap((entry) => {
    if (!isJsonObject(entry) || typeof entry.keyid !== 'string' || typeof entry.key !== 'string') return [];
    return [
      {
        keyid: entry.keyid,
        keytype: typeof entry.keytype === 'string' ? entry.keytype : '',
        scheme: typeof entry.scheme === 'string' ? entry.scheme : '',
        key: entry.key,
        expires: typeof entry.expires === 'string' && entry.expires !== '' ? entry.expires : null,
      },
    ];
  });
}

/** The public key object of a registry key, or null when it is not a valid SPKI key. */
export function publicKey(key: RegistryKey): KeyObject | null {
  try {
    return createPublicKey(`-----BEGIN PUBLIC KEY-----\n${key.key}\n-----END PUBLIC KEY-----`);
  } catch {
    return null;
  }
}

export class RegistryKeys {
  readonly #client: RegistryClient;
  readonly #dir: string;
  readonly #memo = new Map<string, Promise<RegistryKeySet>>();

  constructor(client: RegistryClient) {
    this.#client = client;
    this.#dir = join(client.cacheDir, '_depguard', 'keys');
  }

  /** The keys of a registry (memoised per run); RegistryError when they cannot be had. */
  keys(registry: string): Promise<RegistryKeySet> {
    let loading = this.#memo.get(registry);
    if (!loading) {
      loading = this.#load(registry);
      this.#memo.set(registry, loading);
    }
    return loading;
  }

  #file(registry: string): string {
    return join(this.#dir, `${createHash('sha256').update(registry).digest('hex')}.json`);
  }

  async #load(registry: string): Promise<RegistryKeySet> {
    const cached = await this.#read(registry);
    if (cached) {
      const age = this.#client.now() - cached.checkedAt;
      if (this.#client.mode !== 'online' || (age >= 0 && age < this.#client.maxAge)) return { registry, keys: cached.keys, source: 'cache' };
    }
    let keys: RegistryKey[] | null;
    try {
      keys = parseKeys(await this.#client.registryDocument(registry, KEYS_PATH, 'signing keys'));
    } catch (error) {
      if (!isRegistryError(error)) throw error;
      // npm audit signatures: a registry that answers 404 or 400 has no keys.
      if (error.status === 404 || error.status === 400) keys = null;
      else if (cached) return { registry, keys: cached.keys, source: 'cache' };
      else throw error;
    }
    await writeCacheFile(this.#file(registry), JSON.stringify({ format: FORMAT, registry, checkedAt: this.#client.now(), keys }));
    return { registry, keys, source: 'registry' };
  }

  async #read(registry: string): Promise<{ checkedAt: number; keys: RegistryKey[] | null } | null> {
    try {
      const record = JSON.parse(await readFile(this.#file(registry), 'utf8')) as unknown;
      if (!isJsonObject(record) || record.format !== FORMAT || record.registry !== registry || typeof record.checkedAt !== 'number') return null;
      return { checkedAt: record.checkedAt, keys: record.keys === null ? null : parseKeys({ keys: record.keys }) };
    } catch {
      return null;
    }
  }
}

