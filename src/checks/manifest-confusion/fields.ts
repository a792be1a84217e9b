// The package.json fields that manifest confusion is about, read the same way
// from both sides: the package.json inside the tarball (what npm runs scripts
// from and what ends up in node_modules) and the version manifest the
// registry serves (what npm resolves dependencies from and what every tool
// that reads metadata trusts). The registry does not check that the two agree:
// a publisher can send any manifest with any tarball.
//
// Normalised as npm normalises a manifest on publish, so that only real
// differences remain: optionalDependencies are also dependencies, a string
// `bin` is one command named after the package, bin paths lose a leading
// `./`, and `install: node-gyp rebuild` is implied by a binding.gyp.

import { isJsonObject, jsonObjectOrNull, stringEntries } from '../../util/json.js';

/** The install-time scripts npm runs (and `prepare`, run for git dependencies): what is compared. */
export const COMPARED_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepare'] as const;
export const INSTALL_TIME = new Set<string>(['preinstall', 'install', 'postinstall']);

export interface ManifestFields {
  name: string | null;
  version: string | null;
  /** Only COMPARED_SCRIPTS. */
  scripts: Record<string, string>;
  /** dependencies with optionalDependencies laid over them (npm copies the latter into the former on publish). */
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  bin: Record<string, string>;
  os: string[];
  cpu: string[];
  engines: Record<string, string>;
  /** The package ships a binding.gyp (npm then runs `node-gyp rebuild` unless an install script is given). */
  bindingGyp: boolean;
  /** `directories.bin` is set: npm derives `bin` from that folder's files, which the tarball manifest does not list. */
  binFromDirectory: boolean;
}

function map(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, entry] of stringEntries(value)) if (key !== '__proto__') out[key] = entry;
  return out;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function binPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/** npm's `bin` normalisation: a string names one command after the package (without its scope). */
export function binMap(bin: unknown, name: string | null): Record<string, string> {
  if (typeof bin === 'string') {
    if (bin === '' || !name) return {};
    return { [name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name]: binPath(bin) };
  }
  const out: Record<string, string> = {};
  for (const [command, path] of Object.entries(map(bin))) out[command] = binPath(path);
  return out;
}

/** The fields of a package.json text as npm would publish them; null when it is not a JSON object. */
export function manifestFields(text: string, hasBindingGyp: boolean): ManifestFields | null {
  const data = jsonObjectOrNull(text);
  if (!data) return null;
  const name = typeof data.name === 'string' ? data.name : null;
  const all = map(data.scripts);
  const scripts: Record<string, string> = {};
  for (const event of COMPARED_SCRIPTS) if (Object.hasOwn(all, event)) scripts[event] = all[event]!;
  const optionalDependencies = map(data.optionalDependencies);
  return {
    name,
    version: typeof data.version === 'string' ? data.version : null,
    scripts,
    dependencies: { ...map(data.dependencies), ...optionalDependencies },
    optionalDependencies,
    bin: binMap(data.bin, name),
    os: list(data.os),
    cpu: list(data.cpu),
    engines: map(data.engines),
    bindingGyp: hasBindingGyp,
    binFromDirectory: isJsonObject(data.directories) && typeof data.directories.bin === 'string',
  };
}
