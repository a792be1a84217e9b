// The in-memory tar reader: npm's tar shapes (ustar prefix, pax and GNU long
// names, links), limits, and damaged archives as errors with a code.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TARBALL_LIMITS, parseTar, readTarball, TarballError } from '../../src/enrich/tarball.js';
import { makeTarball } from './registry-server.js';

const BLOCK = 512;

function header(path: string, size: number, type: string, extra: (h: Buffer) => void = () => {}): Buffer {
  const h = Buffer.alloc(BLOCK, 0);
  h.write(path, 0, 100);
  h.write('0000644\0', 100);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  extra(h);
  h.write('        ', 148);
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function entry(path: string, content: string, type = '0', extra?: (h: Buffer) => void): Buffer[] {
  const data = Buffer.from(content);
  return [header(path, data.length, type, extra), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)];
}

const END = Buffer.alloc(BLOCK * 2);

describe('tarball reader', () => {
  it('reads ustar prefixes, pax paths, GNU long names and links, stripping the first folder', () => {
    const long = `package/${'d/'.repeat(60)}file.js`;
    const pax = `${long.length + 7 + String(long.length + 7).length} path=${long}\n`;
    const archive = Buffer.concat([
      ...entry('package/package.json', '{"name":"x"}'),
      ...entry('lib/index.js', 'x', '0', (h) => h.write('package', 345)),
      ...entry('PaxHeader', pax, 'x'),
      ...entry('ignored-name', 'pax file'),
      ...entry('././@LongLink', `package/${'g'.repeat(120)}.js\0`, 'L'),
      ...entry('short', 'gnu file'),
      ...entry('package/link', '', '2', (h) => h.write('index.js', 157)),
      ...entry('package/dir/', '', '5'),
      END,
    ]);
    const entries = parseTar(archive, DEFAULT_TARBALL_LIMITS);
    expect(entries.map((e) => [e.path, e.type])).toEqual([
      ['package.json', 'file'],
      ['lib/index.js', 'file'],
      [`${'d/'.repeat(60)}file.js`, 'file'],
      [`${'g'.repeat(120)}.js`, 'file'],
      ['link', 'symlink'],
      ['dir/', 'directory'],
    ]);
    expect(entries[2]!.data.toString()).toBe('pax file');
    expect(entries[4]!.linkTarget).toBe('index.js');
  });

  it('reports damage with a code instead of throwing anything else', () => {
    const whole = Buffer.concat([...entry('package/a.js', 'x'.repeat(2000)), END]);
    const attempts = [
      () => parseTar(whole.subarray(0, 1200), DEFAULT_TARBALL_LIMITS),
      () => parseTar(Buffer.concat([whole.subarray(0, 512 * 5), Buffer.alloc(100, 7)]), DEFAULT_TARBALL_LIMITS),
      () => parseTar(Buffer.alloc(BLOCK, 65), DEFAULT_TARBALL_LIMITS),
      () => readTarball(Buffer.from('not gzip at all'), DEFAULT_TARBALL_LIMITS),
      () => readTarball(gzipSync(whole).subarray(0, 40), DEFAULT_TARBALL_LIMITS),
    ];
    for (const attempt of attempts) {
      expect(attempt).toThrow(TarballError);
      try {
        attempt();
      } catch (error) {
        expect((error as TarballError).code).toBe('ETARBALL_CORRUPT');
      }
    }
  });

  it('enforces the limits', () => {
    const tarball = makeTarball({ 'a.js': 'a'.repeat(10_000), 'b.js': 'b' });
    expect(() => readTarball(tarball, { ...DEFAULT_TARBALL_LIMITS, maxFiles: 1 })).toThrow(/more than 1 entries/);
    expect(() => readTarball(tarball, { ...DEFAULT_TARBALL_LIMITS, maxUnpackedBytes: 5000 })).toThrow(/unpacks to more than/);
    expect(() => readTarball(tarball, { ...DEFAULT_TARBALL_LIMITS, maxBytes: 10 })).toThrow(/more than the limit of 10/);
    expect(readTarball(tarball, DEFAULT_TARBALL_LIMITS).entries.map((e) => e.path)).toEqual(['a.js', 'b.js']);
  });
});
