// A version's tarball, read into memory within the size and file-count
// limits and checked against an integrity (the lockfile's, else the
// packument's). Fetched only from the package's registry host; never
// extracted, never executed.

import type { RegistryResponse } from 'npm-registry-fetch';
import { redactUrl } from './npm-config.js';
import { readTarball, TarballError, type TarballContents, type TarballLimits } from './tarball.js';
import { BodyError, readBody } from './body.js';
import { cleanMessage } from './fetch.js';
import { RegistryError } from './registry-errors.js';
import { abortOf, header, type RequestOptions } from './registry-request.js';
import type { RegistryManifest } from './registry-types.js';

/** What fetching a tarball needs of the client. */
export interface TarballFetcher {
  request(name: string, url: string, options: RequestOptions): Promise<RegistryResponse>;
  /** Runs network work under the client's concurrency limit. */
  task<T>(work: () => Promise<T>): Promise<T>;
  limits: TarballLimits;
  idleTimeout: number;
}

/** Whether two URLs share scheme and host (with port). */
export function sameOrigin(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host.toLowerCase() === y.host.toLowerCase();
  } catch {
    return false;
  }
}

/** The tarball of `manifest` (name, version) from `registry`; `integrity` is the lockfile's, when given. */
export async function fetchTarball(fetcher: TarballFetcher, manifest: RegistryManifest, registry: string, integrity?: string | null): Promise<TarballContents> {
  const { name, version } = manifest;
  // The lockfile's integrity when given: what `npm ci` would verify. A registry serving other bytes is an attack signal.
  const expected = integrity ?? manifest.integrity;
  const against = integrity ? 'the lockfile records' : 'its packument records';
  if (!manifest.tarball) throw new RegistryError('REGISTRY_BAD_RESPONSE', name, `the packument of ${name} gives no dist.tarball for ${version}`);
  if (!sameOrigin(manifest.tarball, registry)) {
    throw new RegistryError(
      'REGISTRY_TARBALL_FOREIGN_HOST',
      name,
      `the packument of ${name}@${version} points its tarball at ${redactUrl(manifest.tarball)}, not at the registry ${redactUrl(registry)}: not fetched`,
      { url: redactUrl(manifest.tarball) },
    );
  }
  const url = manifest.tarball;
  const limits = fetcher.limits;
  const bytes = await fetcher.task(async () => {
    const response = await fetcher.request(name, url, { accept: '*/*', integrity: expected, what: 'tarball' });
    const length = Number(header(response, 'content-length'));
    if (Number.isFinite(length) && length > limits.maxBytes) {
      abortOf(response)();
      (response.body as unknown as { destroy?(): void }).destroy?.();
      throw new RegistryError('REGISTRY_TARBALL_TOO_LARGE', name, `the tarball of ${name}@${version} is ${length} bytes, more than the limit of ${limits.maxBytes}`, { url: redactUrl(url) });
    }
    try {
      return await readBody(response.body, { maxBytes: limits.maxBytes, idleTimeout: fetcher.idleTimeout }, abortOf(response));
    } catch (error) {
      if (error instanceof BodyError) {
        if (error.code === 'EBODY_TOO_LARGE') {
          throw new RegistryError('REGISTRY_TARBALL_TOO_LARGE', name, `the tarball of ${name}@${version} is more than the limit of ${limits.maxBytes} bytes`, { url: redactUrl(url) });
        }
        throw new RegistryError('REGISTRY_UNREACHABLE', name, `the tarball of ${name}@${version} from ${redactUrl(url)} stopped arriving (${error.message})`, { url: redactUrl(url) });
      }
      const code = (error as { code?: unknown }).code;
      if (code === 'EINTEGRITY' || code === 'EBADSIZE') {
        throw new RegistryError('REGISTRY_TARBALL_INTEGRITY', name, `the tarball of ${name}@${version} from ${redactUrl(url)} does not match the integrity ${against}`, { url: redactUrl(url), cause: error });
      }
      throw new RegistryError('REGISTRY_TARBALL_CORRUPT', name, `the tarball of ${name}@${version} was cut short: ${cleanMessage(error)}`, { url: redactUrl(url), cause: error });
    }
  });
  let read: ReturnType<typeof readTarball>;
  try {
    read = readTarball(bytes, limits);
  } catch (error) {
    if (!(error instanceof TarballError)) throw error;
    const code = error.code === 'ETARBALL_TOO_LARGE' ? 'REGISTRY_TARBALL_TOO_LARGE' : 'REGISTRY_TARBALL_CORRUPT';
    throw new RegistryError(code, name, `the tarball of ${name}@${version}: ${error.message}`, { url: redactUrl(url), cause: error });
  }
  const byPath = new Map(read.entries.map((entry) => [entry.path, entry] as const));
  return {
    name,
    version,
    integrity: expected,
    bytes: bytes.length,
    unpackedBytes: read.unpackedBytes,
    entries: read.entries,
    file: (path) => byPath.get(path),
  };
}
