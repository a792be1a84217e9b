// A package's files as a whole: binaries, manifests, limits, dev-only files
// and the worker pool, which must give the same answer as the calling thread.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analysePackage, bytesAnalysed } from '../../../src/checks/capabilities/analyse-package.js';
import { packFiles, tarballFiles, unpackFiles, type PackageFile } from '../../../src/checks/capabilities/files.js';
import { WorkerPool } from '../../../src/checks/capabilities/pool.js';
import { REPO } from '../../helpers/project.js';
import { ELF, packageFiles } from './packages.js';

function files(map: Record<string, string | Buffer>): PackageFile[] {
  return Object.entries(map).map(([path, content]) => {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    return { path, size: data.length, data };
  });
}

const MANIFEST = JSON.stringify({ name: 'pkg', version: '1.0.0' });

describe('native files', () => {
  it('finds executables by their header, whatever their name, and not Java classes or text', () => {
    const machO = Buffer.concat([Buffer.from([0xcf, 0xfa, 0xed, 0xfe]), Buffer.alloc(28)]);
    const pe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62)]);
    const analysis = analysePackage(
      files({
        'package.json': MANIFEST,
        'bin/esbuild': ELF,
        'vendor/helper.exe': pe,
        'lib/addon-darwin': machO,
        'lib/Main.class': Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe]), Buffer.alloc(16)]),
        'MZ-notes.txt': 'MZ is how DOS executables start',
      }),
    );
    expect(analysis.capabilities.native!.evidence.map((e) => `${e.file} ${e.what}`)).toEqual(['bin/esbuild ELF executable', 'lib/addon-darwin Mach-O executable', 'vendor/helper.exe PE executable']);
  });

  it('counts binding.gyp as native code and as an install step when npm would run node-gyp', () => {
    const analysis = analysePackage(files({ 'package.json': MANIFEST, 'binding.gyp': '{}', 'index.js': "module.exports = require('bindings')('addon');" }));
    expect(analysis.capabilities['install-time']!.evidence).toEqual([{ file: 'binding.gyp', line: 0, kind: 'file', what: 'install: node-gyp rebuild (npm runs it for binding.gyp)', invokes: ['node-gyp'] }]);
    expect(analysis.capabilities.native!.evidence.map((e) => `${e.file}:${e.line}`)).toEqual(['binding.gyp:0', 'index.js:1']);
    // "gypfile": false opts out of the implicit node-gyp rebuild.
    const optOut = analysePackage(files({ 'package.json': JSON.stringify({ name: 'pkg', version: '1.0.0', gypfile: false }), 'binding.gyp': '{}' }));
    expect(optOut.capabilities['install-time']).toBeUndefined();
  });
});

describe('limits and failures', () => {
  it('skips JavaScript over the size limit and names it', () => {
    const analysis = analysePackage(files({ 'package.json': MANIFEST, 'big.js': `require('http');${' '.repeat(200)}`, 'small.js': "require('net');" }), { maxFileBytes: 100 });
    expect(analysis.files).toEqual({ total: 3, parsed: 1, failed: 0, skipped: 1 });
    expect(analysis.skippedFiles).toEqual(['big.js']);
    expect(analysis.capabilities.network!.evidence.map((e) => e.file)).toEqual(['small.js']);
  });

  it('parses extensionless node scripts and bin entries, and nothing else without an extension', () => {
    const analysis = analysePackage(
      files({
        'package.json': JSON.stringify({ name: 'pkg', version: '1.0.0', bin: { tool: './tool' } }),
        tool: "require('child_process').execSync('ls');",
        'scripts/cli': "#!/usr/bin/env node\nrequire('https');",
        Makefile: "all:\n\tnode -e \"require('child_process')\"",
      }),
    );
    expect(analysis.files.parsed).toBe(2);
    expect(Object.keys(analysis.capabilities).sort()).toEqual(['network', 'shell']);
  });
});

describe('dev-only files', () => {
  it('are weak unless a runtime file, a bin or an install script reaches them', () => {
    const analysis = analysePackage(
      files({
        'package.json': JSON.stringify({ name: 'pkg', version: '1.0.0', scripts: { postinstall: 'node test/setup.js' } }),
        'index.js': "module.exports = require('./examples/used');",
        'examples/used.js': "require('net');",
        'examples/unused.js': "require('http');",
        'test/setup.js': "require('dgram');",
        'benchmark/run.js': "require('tls');",
      }),
    );
    const network = analysis.capabilities.network!;
    expect(network.evidence.map((e) => `${e.file}${e.devOnly ? ' dev-only' : ''}`)).toEqual(['examples/used.js', 'test/setup.js', 'benchmark/run.js dev-only', 'examples/unused.js dev-only']);
    expect(network.strong).toBe(2);
  });
});

describe('tarball folders and the worker pool', () => {
  it('leaves nested node_modules out of a package, and reads a bundled folder on its own', () => {
    const entries = [
      { path: 'package.json', type: 'file' as const, size: 2, mode: 0o644, linkTarget: null, data: Buffer.from('{}') },
      { path: 'index.js', type: 'file' as const, size: 1, mode: 0o644, linkTarget: null, data: Buffer.from('1') },
      { path: 'node_modules/inner/index.js', type: 'file' as const, size: 1, mode: 0o644, linkTarget: null, data: Buffer.from('2') },
      { path: 'node_modules/inner/node_modules/deeper/index.js', type: 'file' as const, size: 1, mode: 0o644, linkTarget: null, data: Buffer.from('3') },
    ];
    expect(tarballFiles({ entries }).map((file) => file.path)).toEqual(['package.json', 'index.js']);
    expect(tarballFiles({ entries }, 'node_modules/inner/').map((file) => file.path)).toEqual(['index.js']);
  });

  it('packs files into one transferable buffer and back', () => {
    const original = files({ 'a.js': 'alpha', 'b/c.js': 'gamma', empty: '' });
    const packed = packFiles(original);
    expect(packed.bytes.buffer.byteLength).toBe(10);
    expect(unpackFiles(packed).map((file) => [file.path, file.data.toString()])).toEqual([
      ['a.js', 'alpha'],
      ['b/c.js', 'gamma'],
      ['empty', ''],
    ]);
  });

  it('sends a worker only the bytes the analysis reads, and the answer stays the same', () => {
    const bundle = `${'x'.repeat(100)}`;
    const input = files({
      'package.json': JSON.stringify({ name: 'pkg', version: '1.0.0', bin: { pkg: 'cli' } }),
      cli: "#!/usr/bin/env node\nrequire('child_process').exec(process.argv[2]);\n",
      'lib/index.js': "module.exports = require('https');",
      'lib/index.d.ts': `export declare const x: string; // ${bundle}`,
      'lib/index.js.map': `{"mappings":"${bundle}"}`,
      'prebuilds/linux-x64/addon': Buffer.concat([ELF, Buffer.alloc(4096)]),
      'build/Release/addon.node': Buffer.alloc(2048, 1),
    });
    const trimmed = bytesAnalysed(input);
    const sizes = Object.fromEntries(trimmed.map((file) => [file.path, [file.size, file.data.length]]));
    expect(sizes).toMatchObject({ cli: [input[1]!.size, input[1]!.size], 'lib/index.d.ts': [input[3]!.size, 0], 'lib/index.js.map': [input[4]!.size, 0], 'prebuilds/linux-x64/addon': [4096 + ELF.length, 64], 'build/Release/addon.node': [2048, 0] });
    expect(analysePackage(trimmed)).toEqual(analysePackage(input));
  });

  it('analyses in the calling thread when workers cannot start, without starting one per package', async () => {
    // A worker script that records its start and fails, as a worker given flags it cannot take does.
    const folder = mkdtempSync(join(tmpdir(), 'depguard-pool-'));
    const starts = join(folder, 'starts');
    const broken = join(folder, 'broken.mjs');
    writeFileSync(starts, '');
    writeFileSync(broken, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(starts)}, 'x');\nthrow new Error('cannot start');\n`);
    const pool = new WorkerPool(broken, 2);
    try {
      const input = files(packageFiles('spawner'));
      const expected = analysePackage(input, { maxFileBytes: 1 << 20 });
      for (let i = 0; i < 8; i++) expect(await pool.analyse(input, { maxFileBytes: 1 << 20 })).toEqual(expected);
      expect(readFileSync(starts, 'utf8').length).toBe(3);
    } finally {
      await pool.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  const worker = join(REPO, 'dist/checks/capabilities/worker.js');
  it.skipIf(!existsSync(worker))('gives the same analysis in a worker thread (dist/ build)', async () => {
    const pool = new WorkerPool(worker, 2);
    try {
      const names = ['spawner', 'code-runner', 'env-reader', 'obfuscated'];
      const inputs = names.map((name) => files(packageFiles(name)));
      const results = await Promise.all(inputs.map((input) => pool.analyse(input, { maxFileBytes: 1 << 20 })));
      expect(results).toEqual(inputs.map((input) => analysePackage(input, { maxFileBytes: 1 << 20 })));
    } finally {
      await pool.close();
    }
  });
});
