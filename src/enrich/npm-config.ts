// The registries the user's npm would talk to, read from npm's own
// configuration (builtin, global and user .npmrc, npm_config_* env, flags),
// so depguard never hard-codes a registry host. Also the options npm itself
// would hand to npm-registry-fetch / pacote (auth, proxy, TLS, timeouts,
// retries) and npm's cache folder, so depguard talks to the registry exactly
// as the user's npm does and shares its cache.
//
// Trust: the project's own .npmrc is part of the checked-out tree, which a
// pull request writes. It never decides where depguard fetches from, which
// hosts a lockfile may resolve to, or where a credential is sent: those come
// from the trusted layers only (docs/security.md). The project layer is read
// afterwards, for the settings checks judge (min-release-age), and the
// npm-config check reports a registry it names that the trusted layers do not.

import { homedir } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { redactUrl as redact, withoutUserinfo } from '../util/redact.js';

export interface RegistryConfig {
  /** The default registry, normalised to end with a slash. */
  registry: string;
  /** Scoped registries by scope (`@acme` -> URL). */
  scopes: Record<string, string>;
}

/**
 * Flat options for npm-registry-fetch and pacote, as npm builds them from its
 * config (`registry`, `@scope:registry`, nerf-darted `//host/:_authToken`…,
 * `ca`, `strictSSL`, `proxy`, `httpsProxy`, `noProxy`, `timeout`, `retry`,
 * `maxSockets`…). It holds credentials: never log, print or serialise it.
 */
export type FetchOptions = Record<string, unknown>;

/** Where an npm setting came from: the config layer (`project`, `user`, `global`, `env`, `cli`…) and its file when it has one. */
export interface SettingOrigin {
  where: string;
  file: string | null;
}

/** npm settings that checks read (never credentials), with where each was set; null when unset. */
export interface NpmSettings {
  /** `min-release-age` (days), npm 11's install cooldown. */
  minReleaseAge: { days: number; origin: SettingOrigin } | null;
  /** `min-release-age-exclude`: names and minimatch globs exempt from the cooldown. */
  minReleaseAgeExclude: string[];
}

export interface NpmConfig {
  registries: RegistryConfig;
  /** Settings checks read (release-age). */
  settings: NpmSettings;
  fetchOptions: FetchOptions;
  /** npm's cache folder (config `cache`, e.g. ~/.npm): cacache lives in `<cache>/_cacache`. */
  cache: string;
  /** npm's own `offline` / `prefer-offline` settings, which depguard's flags override. */
  offline: boolean;
  preferOffline: boolean;
}

export interface NpmConfigOverrides {
  /** --registry: replaces the default registry (scoped registries stay). */
  registry?: string;
  /** --cache: npm's cache folder to use instead of the configured one. */
  cache?: string;
  /** The environment npm reads (npm_config_*, HOME…): process.env unless given (tests). */
  env?: Record<string, string | undefined>;
}

export function normaliseRegistry(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}

/** `host` or `host:port` of a URL, lower-cased, as lockfile hosts are compared. */
export function hostOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.host.toLowerCase() || null;
  } catch {
    return null;
  }
}

/** The registry URLs a lockfile may legitimately resolve to. */
export function registryUrls(config: RegistryConfig): string[] {
  return [config.registry, ...Object.values(config.scopes)];
}

/** The registry a package name is fetched from: its scope's registry, else the default one. */
export function registryFor(config: RegistryConfig, name: string): string {
  if (name.startsWith('@')) {
    const scope = name.slice(0, name.indexOf('/'));
    if (Object.hasOwn(config.scopes, scope)) return config.scopes[scope]!;
  }
  return config.registry;
}

/** A URL fit for logs and messages: no user name, password or query string (tokens hide there). */
export function redactUrl(url: string): string {
  return redact(url);
}

/** The hosts (`host[:port]`, lower-case) of the trusted registries and of extra allowed hosts (bare host, host:port or URL). */
export function trustedHostSet(registries: RegistryConfig, allowedHosts: readonly string[] = []): Set<string> {
  const hosts = new Set<string>();
  for (const url of registryUrls(registries)) {
    const host = hostOf(url);
    if (host) hosts.add(host);
  }
  for (const entry of allowedHosts) {
    const trimmed = entry.trim();
    const host = trimmed.includes('://') ? hostOf(trimmed) : trimmed.split('/')[0]!.toLowerCase();
    if (host) hosts.add(host);
  }
  return hosts;
}

/** npm's nerf dart of a registry URL: `//host[:port]/path/`, the prefix its auth keys carry. */
export function nerfDart(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.endsWith('/') ? parsed.pathname : `${parsed.pathname}/`;
  return `//${parsed.host}${path}`;
}

/**
 * A registry URL with basic auth in it (`https://user:pass@host/`, which npm
 * accepts) as a clean URL plus the `//host/:_auth` option npm-registry-fetch
 * sends to that host only. Request URLs, npm's cache keys, depguard's compact
 * cache and every message then hold no credential.
 */
function splitCredentials(url: string, flat: FetchOptions): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (!parsed.username && !parsed.password) return url;
  const clean = withoutUserinfo(url);
  const dart = nerfDart(clean);
  const hasAuth = ['_authToken', '_auth', '_password'].some((key) => flat[`${dart}:${key}`] !== undefined);
  if (!hasAuth) {
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    flat[`${dart}:_auth`] = Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
  }
  return clean;
}

/** Option keys that carry credentials, as npm names them (bare or nerf-darted). */
const SECRET_KEY = /(?:^|:)(?:_authToken|_auth|_password|username|password|email|certfile|keyfile|key|cert|otp)$/i;

/** The option keys without their secret values, for debugging output. */
export function describeFetchOptions(options: FetchOptions): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).map(([key, value]) => [key, SECRET_KEY.test(key) ? '(redacted)' : value]));
}

type LoadedConfig = { get(key: string, where?: string): unknown; data: Map<string, { data: Record<string, unknown>; source?: string | null }> };

/** How long a connection to a registry may take to open (npm has no such limit: a host that never accepts waits for the OS, minutes). */
export const CONNECT_TIMEOUT_MS = 5000;
/** Retry backoff when the user has not set npm's: an unreachable registry costs about 3 s of waiting, not npm's 10 s + 60 s. */
export const RETRY_BACKOFF = { minTimeout: 1000, maxTimeout: 2000 } as const;

/**
 * An unreachable registry fails within seconds: a connection timeout
 * (@npmcli/agent's `timeouts.connection`), and short retry backoffs unless
 * the user's npm config sets fetch-retry-mintimeout or fetch-retry-maxtimeout
 * (npm's defaults are tuned for installs that must succeed eventually; an
 * audit that cannot reach its registry should say so at once).
 */
function failFast(flat: FetchOptions, config: LoadedConfig, projectPath: string): void {
  flat.timeouts = { ...(typeof flat.timeouts === 'object' && flat.timeouts !== null ? flat.timeouts : {}), connection: CONNECT_TIMEOUT_MS };
  const userSet = (key: string) => (originOf(config, key, projectPath)?.where ?? 'default') !== 'default';
  if (!userSet('fetch-retry-mintimeout') && !userSet('fetch-retry-maxtimeout')) {
    flat.retry = { ...(typeof flat.retry === 'object' && flat.retry !== null ? flat.retry : {}), ...RETRY_BACKOFF };
  }
}

/** The layer that set a key, and its file shown relative to the project (or ~) so evidence carries no machine paths. */
function originOf(config: LoadedConfig, key: string, projectPath: string): SettingOrigin | null {
  const layers = [...config.data.entries()];
  for (let i = layers.length - 1; i >= 0; i--) {
    const [where, layer] = layers[i]!;
    if (!Object.hasOwn(layer.data, key)) continue;
    const source = ['project', 'user', 'global', 'builtin'].includes(where) && layer.source && isAbsolute(layer.source) ? layer.source : null;
    if (source === null) return { where, file: null };
    const inProject = relative(projectPath, source);
    const home = homedir();
    const file = !inProject.startsWith('..') && !isAbsolute(inProject) ? inProject : source.startsWith(`${home}/`) ? `~/${relative(home, source)}` : source;
    return { where, file };
  }
  return null;
}

function readSettings(config: LoadedConfig, projectPath: string): NpmSettings {
  const age = config.get('min-release-age');
  const origin = originOf(config, 'min-release-age', projectPath);
  // npm splits each entry on commas (its flatten does the same).
  const exclude = config.get('min-release-age-exclude');
  const list = (Array.isArray(exclude) ? exclude : typeof exclude === 'string' ? [exclude] : []).flatMap((entry) => String(entry).split(',')).map((entry) => entry.trim()).filter(Boolean);
  return {
    minReleaseAge: typeof age === 'number' && Number.isFinite(age) && age >= 0 && origin && origin.where !== 'default' ? { days: age, origin } : null,
    minReleaseAgeExclude: [...new Set(list)],
  };
}

export async function loadNpmConfig(projectPath: string, overrides: NpmConfigOverrides = {}): Promise<NpmConfig> {
  const { default: Config } = await import('@npmcli/config');
  const definitionsModule = await import('@npmcli/config/lib/definitions/index.js');
  // CommonJS: the exports object arrives as the default export.
  const { definitions, shorthands, flatten, nerfDarts } = (definitionsModule as unknown as { default: typeof definitionsModule }).default;
  // npm loads the project's .npmrc before the user's and global ones, and a
  // project file can even move them (`userconfig=`). Here the project layer
  // stays empty while npm's config loads; it is read once the trusted
  // registries, auth and fetch options are settled.
  class TrustedConfig extends Config {
    #deferred = true;
    override async loadProjectConfig(): Promise<void> {
      if (!this.#deferred) return super.loadProjectConfig();
      await this.loadLocalPrefix();
    }
    async loadProjectLayer(): Promise<void> {
      this.#deferred = false;
      await this.loadProjectConfig();
    }
  }
  const config = new TrustedConfig({
    definitions,
    shorthands,
    flatten,
    nerfDarts,
    npmPath: projectPath,
    argv: [],
    cwd: projectPath,
    excludeNpmCwd: true,
    ...(overrides.env ? { env: overrides.env } : {}),
  });
  await config.load();
  // Command-line layer: depguard's own flags win over every npmrc and the environment.
  if (overrides.registry !== undefined) config.set('registry', overrides.registry, 'cli');
  if (overrides.cache !== undefined) config.set('cache', resolve(projectPath, overrides.cache), 'cli');
  const scopes: Record<string, string> = Object.create(null);
  // Later layers win: default < builtin < global < user < project < env < cli.
  for (const [, layer] of config.data) {
    for (const [key, value] of Object.entries(layer.data)) {
      const match = /^(@[^:]+):registry$/.exec(key);
      if (match?.[1] && typeof value === 'string' && value) scopes[match[1]] = normaliseRegistry(value);
    }
  }
  // npm's flat options already carry the nerf-darted auth keys and the
  // scoped registries (its flatten copies every `//…` and `@…:registry` key).
  const flat: FetchOptions = { ...config.flat };
  const registry = normaliseRegistry(splitCredentials(String(config.get('registry')), flat));
  for (const [scope, url] of Object.entries(scopes)) scopes[scope] = normaliseRegistry(splitCredentials(url, flat));
  // Fields that only describe the npm CLI itself do not belong in fetch options.
  for (const key of ['nodeBin', 'npmBin', 'npxCache', 'tufCache', 'userAgent', 'npmCommand', 'npmVersion']) delete flat[key];
  flat.registry = registry;
  for (const [scope, url] of Object.entries(scopes)) flat[`${scope}:registry`] = url;
  failFast(flat, config, projectPath);
  const cache = String(config.get('cache'));
  const offline = config.get('offline') === true;
  const preferOffline = config.get('prefer-offline') === true;
  // Now the project's own settings, for what checks judge (never for fetching).
  await config.loadProjectLayer();
  return {
    registries: { registry, scopes: { ...scopes } },
    settings: readSettings(config, projectPath),
    fetchOptions: flat,
    cache,
    offline,
    preferOffline,
  };
}

export async function loadRegistryConfig(projectPath: string, overrideRegistry?: string): Promise<RegistryConfig> {
  const overrides: NpmConfigOverrides = {};
  if (overrideRegistry !== undefined) overrides.registry = overrideRegistry;
  return (await loadNpmConfig(projectPath, overrides)).registries;
}
