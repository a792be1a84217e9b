// Merging suggested overrides into package.json: existing overrides kept (a
// replaced value is reported), key order and indentation kept, each package
// manager's field and selector syntax.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forManager, mergeOverrides } from '../../src/remediate/merge.js';
import type { RemediationPlan } from '../../src/remediate/remediate.js';
import { detectIndent, planManifest, writePlan } from '../../src/remediate/write.js';

function plan(overrides: RemediationPlan['combined']['overrides'], dependencies: RemediationPlan['combined']['dependencies'] = []): RemediationPlan {
  return { packages: [], bundled: [], replace: [], combined: { overrides, dependencies, update: [] }, overrideFindings: [], blocked: false };
}

describe('mergeOverrides', () => {
  it('keeps existing overrides in place, adds new ones last and nests under an existing parent', () => {
    const { merged, replaced } = mergeOverrides({ 'left-pad': '1.3.0', mkdirp: { minimist: '1.2.8' } }, { qs: '6.5.3', mkdirp: { 'other-dep': '2.0.0' } });
    expect(merged).toEqual({ 'left-pad': '1.3.0', mkdirp: { minimist: '1.2.8', 'other-dep': '2.0.0' }, qs: '6.5.3' });
    expect(Object.keys(merged)).toEqual(['left-pad', 'mkdirp', 'qs']);
    expect(replaced).toEqual([]);
  });

  it('reports every user value it replaces', () => {
    expect(mergeOverrides({ mkdirp: { minimist: '0.0.8' } }, { mkdirp: { minimist: '0.2.1' } }).replaced).toEqual([{ path: 'mkdirp > minimist', old: '0.0.8', new: '0.2.1' }]);
    // A user's version override of the parent itself survives as npm's "." key.
    expect(mergeOverrides({ mkdirp: '0.5.5' }, { mkdirp: { minimist: '0.2.1' } })).toEqual({ merged: { mkdirp: { '.': '0.5.5', minimist: '0.2.1' } }, replaced: [{ path: 'mkdirp', old: '0.5.5', new: { minimist: '0.2.1' } }] });
  });
});

describe('forManager', () => {
  const overrides = { mkdirp: { minimist: '0.2.1' }, qs: '6.5.3' };
  it('spells npm, pnpm and yarn overrides', () => {
    expect(forManager(overrides, 'npm')).toEqual({ field: 'overrides', value: overrides });
    expect(forManager(overrides, 'pnpm')).toEqual({ field: 'pnpm.overrides', value: { 'mkdirp>minimist': '0.2.1', qs: '6.5.3' } });
    expect(forManager(overrides, 'yarn')).toEqual({ field: 'resolutions', value: { 'mkdirp/minimist': '0.2.1', qs: '6.5.3' } });
  });
});

describe('writing package.json', () => {
  it('detects the indentation', () => {
    expect(detectIndent('{\n\t"name": "a"\n}\n')).toBe('\t');
    expect(detectIndent('{\n    "name": "a"\n}\n')).toBe('    ');
    expect(detectIndent('{}')).toBe('  ');
  });

  it('merges into pnpm.overrides beside other pnpm settings and changes a direct spec in place', () => {
    const manifest = { name: 'app', dependencies: { terser: '^3.10.11', chalk: '^2.4.2' }, pnpm: { onlyBuiltDependencies: ['esbuild'], overrides: { 'left-pad': '1.3.0' } }, scripts: {} };
    const { manifest: next, result } = planManifest(manifest, plan({ mkdirp: { minimist: '0.2.1' } }, [{ field: 'dependencies', name: 'terser', spec: '^4.8.1' }]), 'pnpm');
    expect(next).toEqual({ name: 'app', dependencies: { terser: '^4.8.1', chalk: '^2.4.2' }, pnpm: { onlyBuiltDependencies: ['esbuild'], overrides: { 'left-pad': '1.3.0', 'mkdirp>minimist': '0.2.1' } }, scripts: {} });
    expect(Object.keys(next)).toEqual(['name', 'dependencies', 'pnpm', 'scripts']);
    expect(Object.keys(next.dependencies as object)).toEqual(['terser', 'chalk']);
    expect(result).toEqual({ fields: ['dependencies.terser', 'pnpm.overrides'], replaced: [] });
  });

  it('rejects an overrides field that is not an object, naming it', () => {
    expect(() => planManifest({ resolutions: 'x' }, plan({ qs: '6.5.3' }), 'yarn')).toThrow(/field "resolutions" must be an object/);
  });

  it('writes atomically with tabs and CRLF kept, and reports the replaced user override', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-fix-write-'));
    writeFileSync(join(dir, 'package.json'), '{\r\n\t"name": "app",\r\n\t"overrides": {\r\n\t\t"mkdirp": {\r\n\t\t\t"minimist": "0.0.8"\r\n\t\t}\r\n\t}\r\n}\r\n');
    const written = await writePlan(dir, plan({ mkdirp: { minimist: '0.2.1' } }), 'npm', null);
    expect(written).toEqual({ fields: ['overrides'], replaced: [{ path: 'mkdirp > minimist', old: '0.0.8', new: '0.2.1' }], lockfile: null });
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe('{\r\n\t"name": "app",\r\n\t"overrides": {\r\n\t\t"mkdirp": {\r\n\t\t\t"minimist": "0.2.1"\r\n\t\t}\r\n\t}\r\n}\r\n');
    // Nothing left to merge: the file is not rewritten.
    expect((await writePlan(dir, plan({ mkdirp: { minimist: '0.2.1' } }), 'npm', null)).fields).toEqual([]);
  });
});
