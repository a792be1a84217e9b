// What a committed package-manager setting means for supply-chain safety,
// by file: npm (and pnpm) .npmrc keys, pnpm-workspace.yaml settings, Yarn
// Berry's .yarnrc.yml and bun's bunfig.toml `[install]`. Each predicate reads one ConfigEntry; the
// npm-config check turns them into findings. Settings are linted as the
// package managers document them, not re-implemented.

import type { ConfigEntry } from './read.js';

function last(entry: ConfigEntry): string {
  return entry.path[entry.path.length - 1]!;
}

function isTrue(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function isFalse(value: unknown): boolean {
  return value === false || (typeof value === 'string' && value.trim().toLowerCase() === 'false');
}

/** A literal value, not a `${NPM_TOKEN}` (npm, pnpm, Yarn) or `$NPM_TOKEN` (bunfig.toml) reference that the package manager fills from the environment. */
function isLiteral(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '' && !value.includes('${') && !/^\$[A-Za-z_]/.test(value.trim());
}

/**
 * bunfig.toml's registries: `install.registry` and `install.scopes.<scope>`,
 * each a URL string or a table whose `url` is one. The URL, or null when the
 * entry is not one of them.
 */
function bunRegistryUrl(entry: ConfigEntry): string | null {
  if (entry.file !== 'bunfig.toml' || typeof entry.value !== 'string') return null;
  const [install, key, scope, field] = entry.path;
  if (install !== 'install') return null;
  if (key === 'registry') return entry.path.length === 2 || (entry.path.length === 3 && scope === 'url') ? entry.value : null;
  if (key === 'scopes') return entry.path.length === 3 || (entry.path.length === 4 && field === 'url') ? entry.value : null;
  return null;
}

/** A bunfig.toml credential: a registry's `token` or `password`, or a password inside a registry URL (`https://user:pass@host/`). */
function isBunCredential(entry: ConfigEntry): boolean {
  if (!isLiteral(entry.value)) return false;
  const inRegistry = entry.path[0] === 'install' && (entry.path[1] === 'registry' || entry.path[1] === 'scopes');
  if (inRegistry && (last(entry) === 'token' || last(entry) === 'password')) return true;
  const url = bunRegistryUrl(entry);
  if (url === null) return false;
  try {
    return new URL(url).password !== '';
  } catch {
    return false;
  }
}

// npm: `_authToken`, `_auth` (base64 user:password), `_password` and
// `password`, bare or nerf-darted (`//host/:_authToken`); a `key` holding a
// PEM private key. Yarn: `npmAuthToken`, `npmAuthIdent` at any level.
const NPMRC_SECRET = /(?:^|:)(?:_authToken|_auth|_password|password)$/;
const YARN_SECRET = new Set(['npmAuthToken', 'npmAuthIdent']);

/** The entry commits a credential in plain text. */
export function isCommittedCredential(entry: ConfigEntry): boolean {
  if (!isLiteral(entry.value)) return false;
  if (entry.file === '.npmrc') {
    const key = last(entry);
    return NPMRC_SECRET.test(key) || ((key === 'key' || key.endsWith(':key')) && entry.value.includes('PRIVATE KEY'));
  }
  if (entry.file === 'bunfig.toml') return isBunCredential(entry);
  return entry.file === '.yarnrc.yml' && YARN_SECRET.has(last(entry));
}

function httpUrl(value: unknown): string | null {
  return typeof value === 'string' && /^http:\/\//i.test(value.trim()) ? value.trim() : null;
}

/** The plain-http registry URL the entry configures, or null. */
export function insecureRegistry(entry: ConfigEntry): string | null {
  const key = last(entry);
  if (entry.file === '.npmrc') return key === 'registry' || /^@[^:]+:registry$/.test(key) ? httpUrl(entry.value) : null;
  if (entry.file === 'pnpm-workspace.yaml') return key === 'registry' || entry.path[0] === 'registries' ? httpUrl(entry.value) : null;
  if (entry.file === 'bunfig.toml') return httpUrl(bunRegistryUrl(entry));
  // Yarn: npmRegistryServer / npmPublishRegistry at the top or per scope; npmRegistries is keyed by URL.
  if (key === 'npmRegistryServer' || key === 'npmPublishRegistry') return httpUrl(entry.value);
  if (entry.path[0] === 'npmRegistries' && entry.path.length >= 2) return httpUrl(entry.path[1]);
  return null;
}

/** The entry turns TLS certificate checks off. */
export function disablesStrictSsl(entry: ConfigEntry): boolean {
  const key = last(entry);
  if (entry.file === '.npmrc') return key === 'strict-ssl' && isFalse(entry.value);
  if (entry.file === 'pnpm-workspace.yaml') return key === 'strictSsl' && isFalse(entry.value);
  // bunfig.toml has no setting that turns certificate checks off (bun reads NODE_TLS_REJECT_UNAUTHORIZED from the environment).
  if (entry.file === 'bunfig.toml') return false;
  return key === 'enableStrictSsl' && isFalse(entry.value);
}

/**
 * The release cooldown the entry sets: npm's `min-release-age` (days) and
 * pnpm's `minimum-release-age` in .npmrc, pnpm's `minimumReleaseAge`
 * (minutes), Yarn's top-level `npmMinimalAgeGate`, bun's `install.minimumReleaseAge`
 * (seconds, bunfig.toml). 'disabled' when set to 0.
 */
export function cooldownSetting(entry: ConfigEntry): 'set' | 'disabled' | null {
  const key = last(entry);
  const relevant =
    entry.file === '.npmrc'
      ? key === 'min-release-age' || key === 'minimum-release-age'
      : entry.file === 'pnpm-workspace.yaml'
        ? entry.path.length === 1 && key === 'minimumReleaseAge'
        : entry.file === 'bunfig.toml'
          ? entry.path.length === 2 && entry.path[0] === 'install' && key === 'minimumReleaseAge'
          : entry.path.length === 1 && key === 'npmMinimalAgeGate';
  if (!relevant) return null;
  const text = String(entry.value ?? '').trim();
  if (text === '' || text === 'null') return null;
  return /^0+(?:\.0*)?[a-z]*$/i.test(text) ? 'disabled' : 'set';
}

/** The entry lets every dependency run install scripts, bypassing the allowlist. */
export function allowsAllScripts(entry: ConfigEntry): boolean {
  const key = last(entry);
  if (entry.file === '.npmrc') return (key === 'dangerously-allow-all-scripts' || key === 'dangerously-allow-all-builds') && isTrue(entry.value);
  if (entry.file === 'pnpm-workspace.yaml') return entry.path.length === 1 && key === 'dangerouslyAllowAllBuilds' && isTrue(entry.value);
  return false;
}

/** The host (`host[:port]`, lower-case) of a URL or a nerf dart (`//host/path/`), or null. */
function hostIn(value: string): string | null {
  const text = value.trim();
  if (text === '' || text.includes('${')) return null; // filled from the environment: not known here
  try {
    const parsed = new URL(text.startsWith('//') ? `https:${text}` : text);
    return parsed.host.toLowerCase() || null;
  } catch {
    return null;
  }
}

// npm's per-host settings: auth, and TLS client certificates. A nerf-darted key sends its value to that host.
const NERF_DARTED = /^(\/\/.+\/):(?:_authToken|_auth|_password|password|certfile|keyfile|cert|key)$/;

/**
 * The registry host the entry names: a default or scoped registry
 * (`registry`, `@scope:registry`, pnpm `registries`, Yarn
 * `npmRegistryServer`/`npmPublishRegistry`/`npmRegistries`) or the host an
 * auth setting is nerf-darted to (`//host/:_authToken`). Null when the entry
 * names none, or only through an environment variable.
 */
export function namedRegistryHost(entry: ConfigEntry): string | null {
  const key = last(entry);
  const value = typeof entry.value === 'string' ? entry.value : null;
  if (entry.file === '.npmrc') {
    if (key === 'registry' || /^@[^:]+:registry$/.test(key)) return value === null ? null : hostIn(value);
    const dart = NERF_DARTED.exec(key);
    return dart ? hostIn(dart[1]!) : null;
  }
  if (entry.file === 'pnpm-workspace.yaml') return (entry.path.length === 1 && key === 'registry') || (entry.path[0] === 'registries' && entry.path.length === 2) ? (value === null ? null : hostIn(value)) : null;
  if (entry.file === 'bunfig.toml') {
    const url = bunRegistryUrl(entry);
    return url === null ? null : hostIn(url);
  }
  if (key === 'npmRegistryServer' || key === 'npmPublishRegistry') return value === null ? null : hostIn(value);
  if (entry.path[0] === 'npmRegistries' && entry.path.length >= 2) return hostIn(entry.path[1]!);
  return null;
}
