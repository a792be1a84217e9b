// Manifests that need no request: the installed node_modules copy, else the
// package's tarball in npm's cache (what `npm ci` left in
// `<cache>/_cacache/content-v2/`), found by the integrity the lockfile
// records. That integrity is the one npm checks when it installs the entry,
// so the cached tarball is exactly what npm would install. The tarball is
// read as data (readTarball: size and entry limits), its hash checked again
// with ssri, never extracted or run.

import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { checkData, parse as parseSri } from 'ssri';
import type { DepGraph, DepNode } from '../model.js';
import { InstalledManifests, manifestFromJson } from './installed.js';
import { DEFAULT_TARBALL_LIMITS, readTarball } from './tarball.js';
import type { ManifestSource, PackageManifest } from './types.js';

/** cacache's content address of an integrity (its documented `content-v2/<algorithm>/<hex>` layout), or null. */
export function cachedContentPath(cache: string, integrity: string): string | null {
  let hash: { algorithm: string; digest: string } | undefined;
  try {
    const parsed = parseSri(integrity);
    // cacache stores content under the strongest hash npm computed: sha512 for every modern tarball.
    hash = ['sha512', 'sha384', 'sha256', 'sha1'].map((algorithm) => parsed[algorithm]?.[0]).find((entry) => entry !== undefined);
  } catch {
    return null;
  }
  if (!hash?.digest) return null;
  const hex = Buffer.from(hash.digest, 'base64').toString('hex');
  if (hex.length < 8) return null;
  return join(cache, '_cacache', 'content-v2', hash.algorithm, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}

/** The manifest inside a cached tarball of a registry node, or null (not cached, corrupt, too large). */
export async function cachedTarballManifest(cache: string, node: DepNode): Promise<PackageManifest | null> {
  if (node.source !== 'registry' || !node.integrity) return null;
  const path = cachedContentPath(cache, node.integrity);
  if (!path) return null;
  try {
    if ((await stat(path)).size > DEFAULT_TARBALL_LIMITS.maxBytes) return null;
    const bytes = await readFile(path);
    // The cache is a folder on disk: check the bytes against the lockfile's integrity again.
    if (!checkData(bytes, node.integrity)) return null;
    const { entries } = readTarball(bytes, DEFAULT_TARBALL_LIMITS);
    const json = entries.find((entry) => entry.path === 'package.json' && entry.type === 'file');
    if (!json) return null;
    const data = JSON.parse(json.data.toString('utf8')) as unknown;
    const manifest = manifestFromJson(data, 'cache');
    if (!manifest) return null;
    // As npm does: a binding.gyp means gypfile, unless the package opts out.
    if (!manifest.gypfile && (data as { gypfile?: unknown }).gypfile !== false && entries.some((entry) => entry.path === 'binding.gyp')) manifest.gypfile = true;
    return manifest;
  } catch {
    return null;
  }
}

/** node_modules first, then npm's tarball cache: never a request. */
export class LocalManifests implements ManifestSource {
  readonly #installed: InstalledManifests;
  readonly #cache: string;

  constructor(graph: DepGraph, cache: string) {
    this.#installed = new InstalledManifests(graph);
    this.#cache = cache;
  }

  async manifest(node: DepNode): Promise<PackageManifest | null> {
    return (await this.#installed.manifest(node)) ?? (await cachedTarballManifest(this.#cache, node));
  }
}
