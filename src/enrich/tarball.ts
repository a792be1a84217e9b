// A package tarball read as data, in memory: gunzip with a ceiling on the
// unpacked size, then walk the tar headers (ustar, pax and GNU long names)
// with a ceiling on the number of entries. Nothing is written to disk,
// nothing is extracted, nothing is executed.

import { gunzipSync } from 'node:zlib';

export interface TarballLimits {
  /** Largest compressed tarball accepted, in bytes (default 64 MiB). */
  maxBytes: number;
  /** Largest unpacked size, in bytes (default 256 MiB). */
  maxUnpackedBytes: number;
  /** Most entries (files, folders, links) accepted (default 20 000). */
  maxFiles: number;
}

export const DEFAULT_TARBALL_LIMITS: TarballLimits = { maxBytes: 64 * 1024 * 1024, maxUnpackedBytes: 256 * 1024 * 1024, maxFiles: 20_000 };

export interface TarballEntry {
  /** Path inside the package, the first folder (`package/`) removed, as npm installs it. */
  path: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  size: number;
  mode: number;
  /** Target of a symlink or hard link. */
  linkTarget: string | null;
  /** The file's bytes (empty for anything but a file): a view into the unpacked tarball. */
  data: Buffer;
}

export interface TarballContents {
  name: string;
  version: string;
  /** The integrity the tarball was checked against (the packument's), when it had one. */
  integrity: string | null;
  bytes: number;
  unpackedBytes: number;
  entries: TarballEntry[];
  /** A file by its path inside the package (`package.json`, `lib/index.js`). */
  file(path: string): TarballEntry | undefined;
}

export class TarballError extends Error {
  readonly code: 'ETARBALL_CORRUPT' | 'ETARBALL_TOO_LARGE';

  constructor(code: TarballError['code'], message: string) {
    super(message);
    this.code = code;
  }
}

const BLOCK = 512;

function text(buffer: Buffer, start: number, length: number): string {
  const slice = buffer.subarray(start, start + length);
  const end = slice.indexOf(0);
  return slice.subarray(0, end < 0 ? slice.length : end).toString('utf8');
}

function octal(buffer: Buffer, start: number, length: number): number {
  const field = buffer.subarray(start, start + length);
  // GNU base-256 for values that do not fit in octal.
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const digits = text(buffer, start, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarballError('ETARBALL_CORRUPT', `bad number ${JSON.stringify(digits)} in a tar header`);
  return parseInt(digits, 8);
}

function checksumOk(header: Buffer): boolean {
  const stored = octal(header, 148, 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === stored;
}

function paxRecords(data: Buffer): Record<string, string> {
  const records: Record<string, string> = Object.create(null);
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(data.subarray(offset, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) break;
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (equals > 0) records[record.slice(0, equals)] = record.slice(equals + 1);
    offset += length;
  }
  return records;
}

function stripFirstFolder(path: string): string {
  const normalised = path.replace(/\\/g, '/').replace(/^\/+/, '');
  const slash = normalised.indexOf('/');
  return slash < 0 ? normalised : normalised.slice(slash + 1);
}

const TYPES: Record<string, TarballEntry['type']> = { '0': 'file', '\0': 'file', '': 'file', '7': 'file', '5': 'directory', '2': 'symlink', '1': 'link' };

/** Parses an uncompressed tar archive held in memory. */
export function parseTar(archive: Buffer, limits: Pick<TarballLimits, 'maxFiles'>): TarballEntry[] {
  const entries: TarballEntry[] = [];
  let offset = 0;
  let longName: string | null = null;
  let longLink: string | null = null;
  let pax: Record<string, string> = Object.create(null);
  let sawEnd = false;
  while (offset + BLOCK <= archive.length) {
    const header = archive.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) {
      sawEnd = true;
      break;
    }
    if (!checksumOk(header)) throw new TarballError('ETARBALL_CORRUPT', `bad tar header checksum at byte ${offset}`);
    const typeflag = String.fromCharCode(header[156]!);
    const size = pax.size !== undefined ? Number(pax.size) : octal(header, 124, 12);
    const start = offset + BLOCK;
    const end = start + size;
    if (!Number.isSafeInteger(size) || size < 0 || end > archive.length) {
      throw new TarballError('ETARBALL_CORRUPT', `the tarball is truncated: an entry of ${size} bytes at byte ${start} runs past its end (${archive.length} bytes)`);
    }
    const data = archive.subarray(start, end);
    offset = start + Math.ceil(size / BLOCK) * BLOCK;
    if (typeflag === 'x') {
      pax = paxRecords(data);
      continue;
    }
    if (typeflag === 'g') continue;
    if (typeflag === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (typeflag === 'K') {
      longLink = text(data, 0, data.length);
      continue;
    }
    const prefix = text(header, 345, 155);
    const rawName = pax.path ?? longName ?? (prefix && text(header, 257, 6).startsWith('ustar') ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    const type = TYPES[typeflag] ?? 'other';
    entries.push({
      path: stripFirstFolder(rawName),
      type,
      size: type === 'file' ? size : 0,
      mode: octal(header, 100, 8),
      linkTarget: type === 'symlink' || type === 'link' ? (pax.linkpath ?? longLink ?? text(header, 157, 100)) : null,
      data: type === 'file' ? data : Buffer.alloc(0),
    });
    if (entries.length > limits.maxFiles) throw new TarballError('ETARBALL_TOO_LARGE', `the tarball has more than ${limits.maxFiles} entries`);
    longName = null;
    longLink = null;
    pax = Object.create(null);
  }
  // npm's tar writer ends with two zero blocks; an archive that stops inside
  // an entry or has no end marker was cut short.
  if (!sawEnd && offset < archive.length) throw new TarballError('ETARBALL_CORRUPT', 'the tarball is truncated inside a tar header');
  if (!sawEnd && entries.length === 0) throw new TarballError('ETARBALL_CORRUPT', 'the tarball holds no tar entries');
  return entries;
}

/** Gunzips and parses a package tarball within the limits. */
export function readTarball(gzipped: Buffer, limits: TarballLimits): { entries: TarballEntry[]; unpackedBytes: number } {
  if (gzipped.length > limits.maxBytes) throw new TarballError('ETARBALL_TOO_LARGE', `the tarball is ${gzipped.length} bytes, more than the limit of ${limits.maxBytes}`);
  let archive: Buffer;
  try {
    archive = gunzipSync(gzipped, { maxOutputLength: limits.maxUnpackedBytes });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new TarballError('ETARBALL_TOO_LARGE', `the tarball unpacks to more than the limit of ${limits.maxUnpackedBytes} bytes`);
    }
    throw new TarballError('ETARBALL_CORRUPT', `the tarball is not valid gzip: ${(error as Error).message}`);
  }
  return { entries: parseTar(archive, limits), unpackedBytes: archive.length };
}
