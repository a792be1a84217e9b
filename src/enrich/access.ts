// How an audit reaches the registry: builds the RegistryClient and the
// ManifestSource from npm's config and depguard's flags, and decides, once
// the checks have run, whether missing registry data fails the run
// (fail closed: exit 2 naming the packages) or is accepted with diagnostics
// (--allow-incomplete).

import { homedir } from 'node:os';
import { join } from 'node:path';
import { DepguardError } from '../errors.js';
import type { DepGraph, Diagnostic } from '../model.js';
import type { FetchOptions, NpmConfig, RegistryConfig } from './npm-config.js';
import { InstalledManifests } from './installed.js';
import { RegistryClient, type RegistryClientOptions, type RegistryMode } from './registry-client.js';
import { RegistryManifests, type MissingManifest } from './registry-manifests.js';

export interface RegistryAccessOptions {
  /** --offline / --prefer-offline; default from npm's own `offline` / `prefer-offline`, else online. */
  mode?: RegistryMode;
  /** --cache: npm's cache folder to use (default npm's `cache`, ~/.npm). */
  cache?: string;
  /** --max-age in ms (default one hour). */
  maxAge?: number;
  /** --concurrency (default 16). */
  concurrency?: number;
  /** --allow-incomplete: missing registry data becomes diagnostics instead of exit 2. */
  allowIncomplete?: boolean;
  /** Options merged over npm's (tests shorten retries and timeouts this way). */
  fetchOptions?: FetchOptions;
  maxRetryAfter?: number;
  tarballLimits?: RegistryClientOptions['tarballLimits'];
  onRequest?: RegistryClientOptions['onRequest'];
  onProgress?: RegistryClientOptions['onProgress'];
  now?: () => number;
  /** Full packuments from the first request on (a selected check reads them for every package). */
  fullMetadata?: boolean;
}

/** npm's cache folder for this run: --cache, else npm's `cache`, else ~/.npm. */
export function cacheFolder(npm: NpmConfig | null, access: RegistryAccessOptions): string {
  return access.cache ?? npm?.cache ?? join(homedir(), '.npm');
}

export function createRegistryClient(registries: RegistryConfig, npm: NpmConfig | null, access: RegistryAccessOptions): RegistryClient {
  const options: RegistryClientOptions = {
    registries,
    fetchOptions: { ...npm?.fetchOptions, ...access.fetchOptions },
    cache: cacheFolder(npm, access),
    mode: access.mode ?? (npm?.offline ? 'offline' : npm?.preferOffline ? 'prefer-offline' : 'online'),
  };
  if (access.maxAge !== undefined) options.maxAge = access.maxAge;
  if (access.concurrency !== undefined) options.concurrency = access.concurrency;
  if (access.maxRetryAfter !== undefined) options.maxRetryAfter = access.maxRetryAfter;
  if (access.tarballLimits) options.tarballLimits = access.tarballLimits;
  if (access.onRequest) options.onRequest = access.onRequest;
  if (access.onProgress) options.onProgress = access.onProgress;
  if (access.now) options.now = access.now;
  if (access.fullMetadata) options.fullMetadata = true;
  return new RegistryClient(options);
}

/** node_modules first, then the registry. */
export function createRegistryManifests(graph: DepGraph, registries: RegistryConfig, npm: NpmConfig | null, access: RegistryAccessOptions): RegistryManifests {
  return new RegistryManifests(createRegistryClient(registries, npm, access), new InstalledManifests(graph));
}

const SHOWN = 10;

function listed(missing: MissingManifest[]): string {
  const names = missing.slice(0, SHOWN).map((entry) => `${entry.package.name}@${entry.package.version} (${entry.code})`);
  return missing.length > SHOWN ? `${names.join(', ')} and ${missing.length - SHOWN} more` : names.join(', ');
}

/** What records registry misses per package: RegistryManifests (manifests) and RegistryPackuments (packuments). */
export interface RegistryMissSource {
  readonly client: RegistryClient;
  missing(): MissingManifest[];
}

/**
 * After the checks: throws EREGISTRY (exit 2) when a check needed registry
 * data that could not be had, unless incomplete data was accepted; then
 * returns one project-level diagnostic saying so (the per-package ones come
 * from the sources). A package missed by several sources is counted once.
 */
export function checkCompleteness(sources: ReadonlyArray<RegistryMissSource>, allowIncomplete: boolean): Diagnostic[] {
  const byLocation = new Map<string, MissingManifest>();
  for (const source of sources) for (const entry of source.missing()) if (entry.required && !byLocation.has(entry.package.location)) byLocation.set(entry.package.location, entry);
  const missing = [...byLocation.values()].sort((a, b) => (a.package.location < b.package.location ? -1 : a.package.location > b.package.location ? 1 : 0));
  if (missing.length === 0) return [];
  const count = `${missing.length} package${missing.length === 1 ? '' : 's'}`;
  if (allowIncomplete) {
    return [{ level: 'warning', code: 'REGISTRY_INCOMPLETE', message: `audited without the registry data the checks needed for ${count} (--allow-incomplete): ${listed(missing)}` }];
  }
  const codes = new Set(missing.map((entry) => entry.code));
  const first = missing[0]!;
  const hint = codes.has('REGISTRY_NOT_CACHED')
    ? `run once online to fill the cache (${sources[0]!.client.cacheDir}), or pass --allow-incomplete to audit without this data`
    : codes.has('REGISTRY_AUTH')
      ? 'check the auth token for that registry in .npmrc (`npm whoami --registry <url>`), or pass --allow-incomplete to audit without this data'
      : 'check the registry and the network (--verbose prints each request), or pass --allow-incomplete to audit without this data';
  throw new DepguardError('EREGISTRY', `could not get the registry data the checks need for ${count}: ${listed(missing)}; first: ${first.message}`, { hint });
}

/** A --max-age value in ms: `90` (seconds), `90s`, `30m`, `2h`, `1d`, `0`; null when it is not one. */
export function parseDuration(value: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?$/.exec(value.trim());
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Math.round(Number(match[1]) * unit);
}
