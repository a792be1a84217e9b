// The files of one package, as data: from a tarball already read into
// memory, or from an installed folder in node_modules. Nested node_modules
// folders are left out (each is a package of its own in the graph, bundled
// ones included), symlinks are never followed, and the same file-count and
// size limits as for tarballs apply. Only what the analyser reads is loaded:
// JavaScript and package.json in full, the first bytes of files that may be
// binaries.

import { open, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TarballContents, TarballLimits } from '../../enrich/tarball.js';

export interface PackageFile {
  /** Path inside the package, `/`-separated. */
  path: string;
  size: number;
  /** The contents (for files the analyser does not read in full: the first bytes). */
  data: Buffer;
}

/** Extensions whose files are text and never native code: their bytes are not read for a binary header. */
const TEXT_EXTENSIONS = /\.(?:[cm]?[jt]sx?|json|map|md|markdown|txt|css|scss|less|html?|ya?ml|flow|snap|lock|d\.ts|svg|xml|csv|coffee|gyp|gypi|cc|cpp|c|h|hpp|py|rb|sh|bat|cmd|ps1|toml|ini|LICENSE|licen[sc]e|gz|png|jpe?g|gif|ico|woff2?|ttf|eot|wasm)$/i;

/** Files read in full: what the analyser may parse, and manifests (extensionless scripts are read once their `#!` shows). */
export function isReadInFull(path: string): boolean {
  return /\.[cm]?js$/.test(path) || path === 'package.json' || path.endsWith('/package.json');
}

export function mayBeBinary(path: string): boolean {
  return !TEXT_EXTENSIONS.test(path);
}

function underNestedNodeModules(path: string): boolean {
  return path.startsWith('node_modules/') || path.includes('/node_modules/');
}

export class PackageTooLargeError extends Error {}

/**
 * The files of a tarball, or of the folder `prefix` inside it (a bundled
 * dependency: `node_modules/b/`), without nested node_modules.
 */
export function tarballFiles(tarball: Pick<TarballContents, 'entries'>, prefix = ''): PackageFile[] {
  const files: PackageFile[] = [];
  for (const entry of tarball.entries) {
    if (entry.type !== 'file' || !entry.path.startsWith(prefix)) continue;
    const path = entry.path.slice(prefix.length);
    if (path === '' || underNestedNodeModules(path)) continue;
    files.push({ path, size: entry.size, data: entry.data });
  }
  return files;
}

const HEAD_BYTES = 64;

async function head(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The files of an installed package folder, within the limits (PackageTooLargeError past them). */
export async function installedFiles(folder: string, limits: Pick<TarballLimits, 'maxFiles' | 'maxUnpackedBytes'>): Promise<PackageFile[]> {
  const found: Array<{ path: string; absolute: string }> = [];
  const pending: string[] = [''];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    const entries = await readdir(join(folder, relative), { withFileTypes: true });
    for (const entry of entries) {
      const path = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') pending.push(path);
      } else if (entry.isFile()) {
        found.push({ path, absolute: join(folder, path) });
        if (found.length > limits.maxFiles) throw new PackageTooLargeError(`the installed folder has more than ${limits.maxFiles} files`);
      }
    }
  }
  found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  let total = 0;
  const files: PackageFile[] = [];
  for (const { path, absolute } of found) {
    if (isReadInFull(path)) {
      const data = await readFile(absolute);
      total += data.length;
      if (total > limits.maxUnpackedBytes) throw new PackageTooLargeError(`the installed folder holds more than ${limits.maxUnpackedBytes} bytes of code`);
      files.push({ path, size: data.length, data });
    } else if (mayBeBinary(path)) {
      let data = await head(absolute);
      // An extensionless script (`bin/cli` with `#!/usr/bin/env node`) is parsed like a .js file.
      if (data[0] === 0x23 && data[1] === 0x21) {
        data = await readFile(absolute);
        total += data.length;
        if (total > limits.maxUnpackedBytes) throw new PackageTooLargeError(`the installed folder holds more than ${limits.maxUnpackedBytes} bytes of code`);
      }
      files.push({ path, size: data.length, data });
    } else {
      files.push({ path, size: 0, data: Buffer.alloc(0) });
    }
  }
  return files;
}

/** Files packed into one buffer, to hand to a worker thread without copying each. */
export interface PackedFiles {
  /** path, size, offset, length per file. */
  index: Array<[string, number, number, number]>;
  bytes: Uint8Array;
}

export function packFiles(files: PackageFile[]): PackedFiles {
  let total = 0;
  for (const file of files) total += file.data.length;
  // Its own ArrayBuffer (never Buffer's shared pool), so it can be transferred.
  const bytes = new Uint8Array(total);
  const index: PackedFiles['index'] = [];
  let offset = 0;
  for (const file of files) {
    bytes.set(file.data, offset);
    index.push([file.path, file.size, offset, file.data.length]);
    offset += file.data.length;
  }
  return { index, bytes };
}

export function unpackFiles(packed: PackedFiles): PackageFile[] {
  const buffer = Buffer.from(packed.bytes.buffer, packed.bytes.byteOffset, packed.bytes.byteLength);
  return packed.index.map(([path, size, offset, length]) => ({ path, size, data: buffer.subarray(offset, offset + length) }));
}
