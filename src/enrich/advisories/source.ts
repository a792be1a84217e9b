// Picks the advisory source a run asked for: `auto` (the default: the
// registry's bulk endpoint, else the OSV API for public packages, else the
// local database; auto.ts), `npm` (the registry's bulk endpoint only), `osv`
// (the OSV API), `db` (the database `depguard db update` downloaded into the
// cache), or a path (a folder of OSV JSON files at any depth, or an OSV
// export zip).

import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { loadNpmConfig, normaliseRegistry, type FetchOptions } from '../npm-config.js';
import { mergeAliasedAdvisories } from './aliases.js';
import { AutoSource } from './auto.js';
import { NpmBulkSource } from './npm-bulk.js';
import { OsvApiSource } from './osv-api.js';
import { OsvDatabaseSource } from './osv-db.js';
import { AdvisorySourceError, type AdvisoryLookup, type AdvisoryQuery, type AdvisorySource } from './types.js';

export const NAMED_SOURCES = ['auto', 'npm', 'osv', 'db'] as const;

/** Where `depguard db update` keeps the database by default: under npm's cache, beside depguard's other caches. */
export function defaultDatabaseDir(cache: string): string {
  return join(cache, '_depguard', 'osv-db');
}

export interface SourceSettings {
  /** `npm`, `osv`, `db` or a path. */
  source: string;
  /** Folder relative paths are resolved against (the project). */
  base: string;
  /** The default registry (after --registry). */
  registry: string;
  /** --audit-registry: where the bulk endpoint is asked instead of the default registry. */
  auditRegistry: string | null;
  /** The OSV API's base URL. */
  osvApi: string;
  /** npm's cache folder (OSV record cache, db default folder); null: npm's own setting. */
  cache: string | null;
  /** --offline: no source that needs the network may be asked. */
  offline: boolean;
  /** npm's fetch options; read from npm's config on first use when not given (tests, embedding). */
  fetchOptions?: FetchOptions;
  /** `auto`: whether a package name may be sent to the public OSV API (it comes from a public registry only). Default: none may. */
  isPublic?: (name: string) => boolean;
}

/** A source that answers offline mode with a clear refusal instead of a network error. */
class OfflineRefusal implements AdvisorySource {
  constructor(readonly name: string) {}

  async advisories(_query: AdvisoryQuery): Promise<AdvisoryLookup> {
    throw new AdvisorySourceError(this.name, `it needs the network and this run is offline (--offline, or npm's \`offline\` setting)`, {
      hint: 'run `depguard db update` while online and audit with --advisory-source db, or pass --advisories optional to audit without advisories',
    });
  }
}

async function npmSettings(settings: SourceSettings): Promise<{ fetchOptions: FetchOptions; cache: string }> {
  if (settings.fetchOptions) return { fetchOptions: settings.fetchOptions, cache: settings.cache ?? join(homedir(), '.npm') };
  const npm = await loadNpmConfig(settings.base, { registry: settings.registry, ...(settings.cache ? { cache: settings.cache } : {}) });
  return { fetchOptions: npm.fetchOptions, cache: settings.cache ?? npm.cache };
}

/** A source whose npm settings are read on first use (a path source never reads them). */
class Deferred implements AdvisorySource {
  #made: Promise<AdvisorySource> | undefined;

  constructor(
    readonly name: string,
    private readonly make: () => Promise<AdvisorySource>,
  ) {}

  async advisories(query: AdvisoryQuery): Promise<AdvisoryLookup> {
    this.#made ??= this.make();
    return (await this.#made).advisories(query);
  }
}

/** An OSV source, with each package's records of one incident merged (aliases.ts). */
class Merged implements AdvisorySource {
  constructor(private readonly inner: AdvisorySource) {}

  get name(): string {
    return this.inner.name;
  }

  async advisories(query: AdvisoryQuery): Promise<AdvisoryLookup> {
    const lookup = await this.inner.advisories(query);
    return { ...lookup, advisories: mergeAliasedAdvisories(lookup.advisories) };
  }
}

export function createAdvisorySource(settings: SourceSettings): AdvisorySource {
  if (settings.source === 'auto') {
    const db = async () => {
      const dir = defaultDatabaseDir(settings.cache ?? (await npmSettings(settings)).cache);
      return { source: new Merged(new OsvDatabaseSource(dir, `db (${dir})`)), dir };
    };
    return new AutoSource({
      bulk: settings.offline ? null : pickSource({ ...settings, source: 'npm' }),
      osv: settings.offline ? null : new Merged(pickSource({ ...settings, source: 'osv' })),
      db,
      isPublic: settings.isPublic ?? (() => false),
      ...(settings.offline ? { offlineReason: 'the registry and the OSV API were not asked: this run is offline (--offline, or npm\'s `offline` setting)' } : {}),
    });
  }
  const source = pickSource(settings);
  // npm's bulk answer is kept as npm reports it (one entry per id, as npm audit does, for parity); OSV sources get one advisory per incident.
  return settings.source === 'npm' ? source : new Merged(source);
}

function pickSource(settings: SourceSettings): AdvisorySource {
  const { source } = settings;
  if (source === 'npm') {
    const registry = normaliseRegistry(settings.auditRegistry ?? settings.registry);
    const probe = new NpmBulkSource({ registry, fetchOptions: {} });
    if (settings.offline) return new OfflineRefusal(probe.name);
    return new Deferred(probe.name, async () => new NpmBulkSource({ registry, fetchOptions: (await npmSettings(settings)).fetchOptions }));
  }
  if (source === 'osv') {
    const probe = new OsvApiSource({ api: settings.osvApi, fetchOptions: {}, cache: null });
    if (settings.offline) return new OfflineRefusal(probe.name);
    return new Deferred(probe.name, async () => {
      const npm = await npmSettings(settings);
      return new OsvApiSource({ api: settings.osvApi, fetchOptions: npm.fetchOptions, cache: npm.cache });
    });
  }
  if (source === 'db') {
    return new Deferred('db', async () => {
      const cache = settings.cache ?? (await npmSettings(settings)).cache;
      return new OsvDatabaseSource(defaultDatabaseDir(cache), `db (${defaultDatabaseDir(cache)})`);
    });
  }
  const path = isAbsolute(source) ? source : resolve(settings.base, source);
  return new OsvDatabaseSource(path, source);
}
