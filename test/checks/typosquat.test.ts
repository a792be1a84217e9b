// typosquat: names one keystroke from a high-impact package (npm-high-impact),
// on real attack names: crossenv (cross-env, 2017, whose transitive babelcli
// imitated babel-cli), electorn (electron), an alias that installs 1odash
// under the name lodash. Direct dependencies in `check`; every package with
// `dependencies: "all"`, which `diff` uses.
import { describe, expect, it } from 'vitest';
import typosquat from '../../src/checks/typosquat/index.js';
import { HighImpact, oneStep } from '../../src/checks/typosquat/lookalike.js';
import { presetPolicy } from '../../src/policy/load.js';
import { runChecks } from '../../src/policy/run.js';
import { loadProject } from '../../src/load/load.js';
import type { Finding } from '../../src/model.js';
import type { RegistryConfig } from '../../src/enrich/npm-config.js';
import { fixture } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

async function run(name: string, options: Record<string, unknown> = {}, registries: RegistryConfig = EXAMPLE_REGISTRY): Promise<{ findings: Finding[]; diagnostics: unknown[] }> {
  const { graph } = await loadProject(fixture(name));
  const policy = await presetPolicy('recommended');
  const settings = policy.checks.get('typosquat')!;
  settings.options = { ...settings.options, ...options };
  return runChecks({ graph, policy, registries, only: ['typosquat'], today: '2026-11-27' });
}

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.package!.name}@${f.package!.version} -> ${String(f.evidence.intended)} (${String(f.evidence.kind)})`);
}

describe('typosquat: the matcher', () => {
  const dataset = new HighImpact(['lodash', 'cross-env', 'electron', '@typescript-eslint/parser', 'eslint-plugin-react', 'ms', 'uuidv4', 'react', 'reacts']);

  it('finds one edit, one transposition, a separator change and a scope swap', () => {
    expect(dataset.lookalike('lodahs')).toEqual({ intended: 'lodash', kind: 'transposition' });
    expect(dataset.lookalike('1odash')).toEqual({ intended: 'lodash', kind: 'edit' });
    expect(dataset.lookalike('lodashs')).toEqual({ intended: 'lodash', kind: 'edit' });
    expect(dataset.lookalike('lodas')).toEqual({ intended: 'lodash', kind: 'edit' });
    expect(dataset.lookalike('crossenv')).toEqual({ intended: 'cross-env', kind: 'separator' });
    expect(dataset.lookalike('cross.env')).toEqual({ intended: 'cross-env', kind: 'separator' });
    expect(dataset.lookalike('@typescript_eslint/parser')).toEqual({ intended: '@typescript-eslint/parser', kind: 'separator' });
    expect(dataset.lookalike('@typescript-eslnt/parser')).toEqual({ intended: '@typescript-eslint/parser', kind: 'edit' });
    expect(dataset.lookalike('@evil/eslint-plugin-react')).toEqual({ intended: 'eslint-plugin-react', kind: 'scope' });
  });

  it('leaves alone high-impact names, short names, two edits away, versioned forks and @types', () => {
    expect(dataset.lookalike('lodash')).toBeNull();
    expect(dataset.lookalike('reacts')).toBeNull();
    expect(dataset.lookalike('ws')).toBeNull();
    expect(dataset.lookalike('mss')).toBeNull();
    expect(dataset.lookalike('lodaaash')).toBeNull();
    expect(dataset.lookalike('electron2')).toBeNull();
    expect(dataset.lookalike('@types/eslint-plugin-react')).toBeNull();
    expect(dataset.lookalike('@myorg/utils')).toBeNull();
  });

  it('prefers the better-known package when two are one step away', () => {
    // `reactt` is one edit from react and from reacts; react ranks first in the dataset.
    expect(dataset.lookalike('reactt')).toEqual({ intended: 'react', kind: 'edit' });
  });

  it('measures one step exactly', () => {
    expect(oneStep('abcd', 'abdc')).toBe('transposition');
    expect(oneStep('abcd', 'abxd')).toBe('edit');
    expect(oneStep('abcd', 'badc')).toBeNull();
    expect(oneStep('abcd', 'abcd')).toBeNull();
    expect(oneStep('abcd', 'ab')).toBeNull();
  });
});

describe('typosquat: typosquat-direct', () => {
  it('reports the direct dependencies that imitate high-impact packages, naming the intended one', async () => {
    const { findings, diagnostics } = await run('typosquat-direct');
    expect(summary(findings)).toEqual(['1odash@1.0.0 -> lodash (edit)', 'crossenv@6.1.1 -> cross-env (separator)', 'electorn@1.0.0 -> electron (transposition)']);
    expect(findings.map((f) => [f.rule, f.severity])).toEqual(Array(3).fill(['typosquat/lookalike', 'high']));
    const crossenv = findings.find((f) => f.package!.name === 'crossenv')!;
    expect(crossenv.message).toBe('crossenv@6.1.1 is a separator away from cross-env, a high-impact package: a typo or a lookalike of it?');
    expect(crossenv.evidence).toEqual({ intended: 'cross-env', kind: 'separator', direct: true, dataset: expect.stringMatching(/^npm-high-impact@\d+\.\d+\.\d+$/) });
    // The alias is judged by what it installs, under the name it is installed as.
    expect(findings.find((f) => f.package!.name === '1odash')!.package!.location).toBe('node_modules/lodash');
    expect(diagnostics).toEqual([]);
  });

  it('with dependencies "all" (as diff judges), the transitive babelcli too', async () => {
    const { findings } = await run('typosquat-direct', { dependencies: 'all' });
    expect(summary(findings)).toContain('babelcli@1.0.0 -> babel-cli (separator)');
    expect(findings.find((f) => f.package!.name === 'babelcli')!.evidence.direct).toBe(false);
  });

  it('allow exempts names and globs', async () => {
    const { findings } = await run('typosquat-direct', { allow: ['crossenv', '1o*'] });
    expect(summary(findings)).toEqual(['electorn@1.0.0 -> electron (transposition)']);
  });

  it('fires for nothing in a project of well-known packages', async () => {
    expect((await run('clean-app')).findings).toEqual([]);
    expect((await run('clean-app', { dependencies: 'all' })).findings).toEqual([]);
  });

  it('needs nothing from the registry and is on in the recommended preset', async () => {
    expect(typosquat.meta.needs).toEqual([]);
    expect((await presetPolicy('recommended')).checks.get('typosquat')!.enabled).toBe(true);
  });
});
