// yarn's side of a verification copy (sandbox.ts).
//
// berry (yarn 2+): `yarn install --mode=update-lockfile` resolves and fetches
// only what the lockfile lacks (to checksum it), links nothing and runs no
// script. The project's .yarnrc.yml is never copied: it can name `yarnPath`
// (another yarn, run in place of this one), `plugins` (code yarn loads),
// registries and tokens. The copy gets a .yarnrc.yml of depguard's own: the
// registry from the user's npm config, scripts and immutable installs off,
// plus the project's resolution settings from an allowlist.
//
// classic (yarn 1) has no lockfile-only mode: `yarn install --ignore-scripts`
// fetches every tarball of the tree into the copy. It fetches each entry from
// its `resolved` URL, so a project's yarn.lock could make it fetch any URL;
// the copy's lockfile points every registry-shaped URL at the configured
// registry instead, and a lockfile with any other URL is not verified.

import { parseDocument, stringify } from 'yaml';
import { isJsonObject } from '../util/json.js';

/** .yarnrc.yml settings that decide which versions resolve; nothing else of the project's file reaches the copy. */
const BERRY_RESOLUTION_SETTINGS = ['npmMinimalAgeGate', 'npmPreapprovedPackages', 'packageExtensions', 'supportedArchitectures', 'defaultProtocol'] as const;

/** Why a project's yarn cannot be run safely here (the plan is then unverified). */
export class YarnRefusal extends Error {}

/** The copy's .yarnrc.yml: the trusted registry, no scripts, no immutable installs, the project's resolution settings. */
export function berryRc(projectRc: string | null, registry: string): string {
  const settings: Record<string, unknown> = {};
  if (projectRc !== null) {
    try {
      const value: unknown = parseDocument(projectRc).toJS({ maxAliasCount: 100 });
      if (isJsonObject(value)) for (const key of BERRY_RESOLUTION_SETTINGS) if (Object.hasOwn(value, key)) settings[key] = value[key];
    } catch {
      // An unreadable file contributes nothing.
    }
  }
  const url = new URL(registry);
  return stringify({
    ...settings,
    npmRegistryServer: registry.replace(/\/+$/, ''),
    // The user's npm config chose this registry: berry refuses plain http unless its host is listed.
    ...(url.protocol === 'http:' ? { unsafeHttpWhitelist: [url.hostname] } : {}),
    enableScripts: false,
    enableImmutableInstalls: false,
    enableTelemetry: false,
  });
}

/** The registry tarball URL for the path after a `resolved` URL's origin: `<registry><name>/-/<file>`, or null when it is not registry-shaped. */
function registryTarball(url: URL, registry: string): string | null {
  const segments = url.pathname.split('/');
  const dash = segments.lastIndexOf('-');
  if (dash < 2 || dash !== segments.length - 2 || !segments[dash + 1]!.endsWith('.tgz')) return null;
  const scoped = segments[dash - 2]?.startsWith('@') ? `${segments[dash - 2]}/` : '';
  return `${registry.replace(/\/+$/, '')}/${scoped}${segments[dash - 1]}/-/${segments[dash + 1]}${url.hash}`;
}

/** yarn 1's lockfile for the copy: every `resolved` URL at the configured registry; throws YarnRefusal for one that is not a registry tarball. */
export function classicLockfile(text: string, registry: string): string {
  return text.replace(/^([ \t]+resolved[ \t]+)"?([^"\s]+)"?[ \t]*$/gm, (line, prefix: string, value: string) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new YarnRefusal(`yarn.lock resolves an entry from "${value.slice(0, 100)}", not a registry URL: yarn 1 would fetch it`);
    }
    const moved = url.protocol === 'https:' || url.protocol === 'http:' ? registryTarball(url, registry) : null;
    if (!moved) throw new YarnRefusal(`yarn.lock resolves an entry from ${url.protocol}//${url.host}${url.pathname.slice(0, 60)}, not a registry tarball: yarn 1 would fetch it`);
    return `${prefix}"${moved}"`;
  });
}

/** yarn's command line for a re-resolution (`update`: names moved within their ranges). */
export function yarnCommand(flavor: 'classic' | 'berry', registry: string, update: string[]): string[] {
  if (flavor === 'berry') return update.length > 0 ? ['up', '-R', ...update, '--mode=update-lockfile'] : ['install', '--mode=update-lockfile'];
  const flags = ['--ignore-scripts', '--non-interactive', '--no-bin-links', '--ignore-engines', '--no-progress', '--registry', registry];
  return update.length > 0 ? ['upgrade', ...update, ...flags] : ['install', ...flags];
}

/** Environment for yarn in the copy: no yarnPath (even from a parent folder), scripts and immutable installs off, the trusted registry. */
export function yarnEnvironment(registry: string): Record<string, string> {
  return {
    YARN_IGNORE_PATH: '1',
    YARN_ENABLE_SCRIPTS: 'false',
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_NPM_REGISTRY_SERVER: registry.replace(/\/+$/, ''),
    YARN_REGISTRY: registry,
  };
}
