import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import semver from 'semver';
import { afterAll, describe, expect, it } from 'vitest';
import engines from '../../src/checks/engines/index.js';
import * as internals from '../../src/checks/engines/version-set.js';
import { presetPolicy } from '../../src/policy/load.js';
import { runChecks, type OmitType } from '../../src/policy/run.js';
import { loadProject } from '../../src/load/load.js';
import type { DepGraph, DepNode, Diagnostic, Finding } from '../../src/model.js';
import { edge, graph, node } from '../helpers/graph.js';
import { fixture, REPO, SHARED_DATA, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';

// Every test passes its own date: the schedule is judged as of that day, never the real clock.
const TODAY = '2026-11-27';
const LTS_ONLY = '^22.22.2 || ^24.15.0 || ^26.0.0';

const made: string[] = [];
afterAll(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A project folder with files at nested paths (objects are written as JSON). */
function projectDir(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-engines-'));
  made.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
  }
  return dir;
}

/** An in-memory graph whose project folder exists and holds only what `files` says. */
function inMemory(manifest: Record<string, unknown>, nodes: DepNode[] = [], files: Record<string, string | object> = {}): DepGraph {
  const rootEdges = nodes.filter((n) => n.dependents.length === 0 && !n.location.includes('/node_modules/')).map((n) => edge(n.name, n.version, n.location, n.dev ? 'dev' : 'prod'));
  const g = graph(manifest, nodes, rootEdges);
  g.projectPath = projectDir(files);
  return g;
}

interface Run {
  findings: Finding[];
  diagnostics: Diagnostic[];
}

async function check(g: DepGraph, opts: { today?: string; options?: Record<string, unknown>; omit?: OmitType[]; policy?: string } = {}): Promise<Run> {
  const policy = await presetPolicy(opts.policy ?? 'recommended');
  if (opts.options) {
    const settings = policy.checks.get('engines')!;
    settings.options = { ...settings.options, ...opts.options };
  }
  return runChecks({ graph: g, policy, registries: EXAMPLE_REGISTRY, only: ['engines'], omit: opts.omit ?? [], today: opts.today ?? TODAY });
}

async function checkFixture(name: string, opts: Parameters<typeof check>[1] = {}): Promise<Run> {
  const { graph: g } = await loadProject(fixture(name));
  return check(g, opts);
}

/** Runs over a project whose package.json has only the given engines.node. */
async function judgeRange(range: string, today = TODAY, options?: Record<string, unknown>): Promise<Finding[]> {
  return (await check(inMemory({ name: 'app', version: '1.0.0', engines: { node: range } }), { today, ...(options ? { options } : {}) })).findings;
}

function rules(findings: Finding[]): string[] {
  return findings.map((f) => f.rule);
}

function lines(finding: Finding | undefined): string[] {
  return ((finding?.evidence.lines ?? []) as Array<{ line: string }>).map((l) => l.line);
}

function only(findings: Finding[], rule: string, source?: string): Finding[] {
  return findings.filter((f) => f.rule === `engines/${rule}` && (source === undefined || f.evidence.source === source));
}

describe('engines: metadata', () => {
  it('has the rules at their recommended severities and one option', () => {
    const severities = Object.fromEntries(Object.entries(engines.meta.rules).map(([rule, meta]) => [rule, meta.severity]));
    expect(severities).toEqual({
      missing: 'moderate',
      'end-of-life': 'high',
      'odd-line': 'moderate',
      'no-maintained-line': 'high',
      'eol-soon': 'low',
      'open-ended': 'low',
      'sources-disagree': 'moderate',
      'dependency-excludes': 'moderate',
      'vulnerable-runtime': 'high',
    });
    expect(engines.meta.defaultOptions).toEqual({ eolSoonDays: 180, dependencyRange: 'declared', coreVulnerabilities: true });
    // Manifests only as detail, from node_modules and the caches unless the run asks the registry anyway.
    expect(engines.meta.needs).toEqual(['local-manifests']);
  });
});

describe('engines: version sets', () => {
  const { parseRange, subtract, describeInterval, intervalRange } = internals;
  const set = (range: string) => parseRange(range)!;

  it('reads ranges as npm does (strict semver) and gives null for what is no range', () => {
    expect(set('^22.12.0').map(intervalRange)).toEqual(['>=22.12.0 <23.0.0']);
    expect(set('>=16 || 14 >=14.17').map(intervalRange)).toEqual(['>=14.17.0 <15.0.0', '>=16.0.0']);
    expect(set('>22.1.0 <=22.3.4').map(intervalRange)).toEqual(['>=22.1.1 <22.3.5']);
    expect(set('*').map(intervalRange)).toEqual(['>=0.0.0']);
    expect(set('>=22.0.0-rc.1 <22.0.0')).toEqual([]);
    expect(parseRange('node >= 12')).toBeNull();
    expect(parseRange('lts/*')).toBeNull();
  });

  it('subtracts and describes what is left', () => {
    const left = subtract(set('^22.22.2 || ^24.15.0 || ^26.0.0'), set('>=24.15.0'));
    expect(left.map(describeInterval)).toEqual(['22.22.2–22.x']);
    expect(subtract(set('>=20 <27'), set('^20.19.0 || ^22.12.0 || >=24')).map(describeInterval)).toEqual(['20.0.0–20.18.x', '21.0.0–22.11.x', '23.x']);
    expect(subtract(set('>=25 <27'), set('<25')).map(describeInterval)).toEqual(['25.x–26.x']);
    expect(subtract(set('>=22.1.0 <22.1.3'), set('22.1.1')).map(describeInterval)).toEqual(['22.1.0', '22.1.2']);
    expect(subtract(set('^22'), set('*'))).toEqual([]);
  });
});

describe('engines: engines.node against the schedule', () => {
  it('leaves a range of maintained LTS lines alone, except that 22 ends within 180 days', async () => {
    const findings = await judgeRange(LTS_ONLY);
    expect(rules(findings)).toEqual(['engines/eol-soon']);
    expect(findings[0]!.evidence).toMatchObject({ source: 'engines.node', file: 'package.json', value: LTS_ONLY, range: LTS_ONLY, days: 180 });
    expect(findings[0]!.evidence.lines).toEqual([{ line: '22', codename: 'Jod', lts: '2024-10-29', end: '2027-04-30', daysLeft: 154 }]);
    expect(await judgeRange(LTS_ONLY, TODAY, { eolSoonDays: 150 })).toEqual([]);
  });

  it('names every end-of-life line a range admits, with its end date', async () => {
    const findings = await judgeRange('>=18');
    const [eol] = only(findings, 'end-of-life');
    expect(eol!.severity).toBe('high');
    expect(eol!.package).toBeNull();
    expect(eol!.evidence.lines).toEqual([
      { line: '18', codename: 'Hydrogen', lts: '2022-10-25', end: '2025-04-30' },
      { line: '19', codename: null, end: '2023-06-01' },
      { line: '20', codename: 'Iron', lts: '2023-10-24', end: '2026-04-30' },
      { line: '21', codename: null, end: '2024-06-01' },
      { line: '23', codename: null, end: '2025-06-01' },
      { line: '25', codename: null, end: '2026-06-01' },
    ]);
    expect(rules(findings).sort()).toEqual(['engines/end-of-life', 'engines/eol-soon', 'engines/open-ended']);
  });

  it('treats the end date as the first day of end-of-life', async () => {
    expect(rules(await judgeRange('^20.0.0 || ^22.0.0', '2026-04-29'))).toEqual(['engines/eol-soon']);
    expect(rules(await judgeRange('^20.0.0 || ^22.0.0', '2026-04-30'))).toEqual(['engines/end-of-life']);
    expect(lines(only(await judgeRange('^20.0.0 || ^22.0.0', '2026-04-29'), 'eol-soon')[0])).toEqual(['20']);
  });

  it('names the 0.x lines of the schedule', async () => {
    const findings = await judgeRange('>=0.10.0 <4', '2020-01-01');
    expect(lines(only(findings, 'end-of-life')[0])).toEqual(['0.10', '0.12']);
    expect(rules(findings)).toContain('engines/no-maintained-line');
  });

  it('reports an odd line while it is supported, and as end-of-life after', async () => {
    const march = await judgeRange('^24.0.0 || ^25.0.0', '2026-03-01');
    const [odd] = only(march, 'odd-line');
    expect(odd!.severity).toBe('moderate');
    expect(odd!.evidence.lines).toEqual([{ line: '25', codename: null, end: '2026-06-01' }]);
    expect(rules(march).sort()).toEqual(['engines/eol-soon', 'engines/odd-line']);
    expect(lines(only(march, 'eol-soon')[0])).toEqual(['25']);
    expect(rules(await judgeRange('^24.0.0', '2026-03-01'))).toEqual([]);
    expect(rules(await judgeRange('^24.0.0 || ^25.0.0', TODAY))).toEqual(['engines/end-of-life']);
  });

  it('does not call line 27 odd: the schedule makes it LTS', async () => {
    const findings = await judgeRange('^26.0.0 || ^27.0.0');
    expect(rules(findings)).toEqual([]);
  });

  it('reports a range that admits no maintained line, also one of a line not yet released', async () => {
    const old = await judgeRange('^18.0.0 || ^20.0.0');
    expect(rules(old).sort()).toEqual(['engines/end-of-life', 'engines/no-maintained-line']);
    expect(only(old, 'no-maintained-line')[0]!.evidence).toMatchObject({ source: 'engines.node', today: TODAY });
    const future = await judgeRange('^27.0.0');
    expect(rules(future)).toEqual(['engines/no-maintained-line']);
    expect(lines(only(future, 'no-maintained-line')[0])).toEqual(['27']);
    expect(rules(await judgeRange('^27.0.0', '2027-05-01'))).toEqual([]);
  });

  it('reports lines beyond the schedule as open-ended, not as odd lines', async () => {
    const findings = await judgeRange('>=24.15.0');
    const [open] = only(findings, 'open-ended');
    expect(open!.severity).toBe('low');
    expect(open!.evidence).toMatchObject({ source: 'engines.node', value: '>=24.15.0', unscheduled: ['>=28.0.0'] });
    expect(rules(findings)).not.toContain('engines/odd-line');
    expect(rules(await judgeRange('>=99'))).toEqual(['engines/no-maintained-line', 'engines/open-ended']);
    expect(rules(await judgeRange('^24.15.0 || ^26.0.0 || ^27.0.0'))).toEqual([]);
  });

  it('reports eol-soon with the days left, and lets eolSoonDays change the window', async () => {
    const [soon] = only(await judgeRange('^22.12.0'), 'eol-soon');
    expect(soon!.evidence).toMatchObject({ days: 180, lines: [{ line: '22', end: '2027-04-30', daysLeft: 154 }] });
    expect(rules(await judgeRange('^22.12.0', '2026-10-01'))).toEqual([]);
    expect(rules(await judgeRange('^22.12.0', '2026-10-01', { eolSoonDays: 365 }))).toEqual(['engines/eol-soon']);
    expect(rules(await judgeRange('^22.12.0', TODAY, { eolSoonDays: 0 }))).toEqual([]);
  });

  it('makes an unreadable engines.node a diagnostic with file and value, not a finding', async () => {
    const { findings, diagnostics } = await check(inMemory({ name: 'app', engines: { node: 'node 22' } }));
    expect(findings).toEqual([]);
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'UNREADABLE_NODE_VERSION', check: 'engines', file: 'package.json', message: expect.stringContaining('engines.node is "node 22"') })]);
    const numeric = await check(inMemory({ name: 'app', engines: { node: 22 } }));
    expect(numeric.diagnostics).toEqual([expect.objectContaining({ file: 'package.json', message: expect.stringContaining('engines.node is 22,') })]);
  });
});

describe('engines: missing', () => {
  it('fires without engines.node and says what dependencies were judged against', async () => {
    const { findings } = await check(inMemory({ name: 'app', engines: { npm: '>=10' } }));
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'engines/missing',
      severity: 'moderate',
      package: null,
      evidence: { file: 'package.json', field: 'engines.node', judgedAgainst: 'maintained-lts', range: '22.x || 24.x || 26.x' },
    });
  });

  it('does not fire when engines.node is there, even if only devEngines or volta were missing', async () => {
    expect(rules((await check(inMemory({ name: 'app', engines: { node: '^24.15.0' } }))).findings)).not.toContain('engines/missing');
  });

  it('uses the LTS lines maintained on the audit date', async () => {
    expect((await check(inMemory({ name: 'app' }), { today: '2025-04-01' })).findings[0]!.evidence).toMatchObject({ range: '18.x || 20.x || 22.x' });
    expect((await check(inMemory({ name: 'app' }), { today: '2025-06-01' })).findings[0]!.evidence).toMatchObject({ range: '20.x || 22.x' });
  });
});

describe('engines: sources', () => {
  it('reads .nvmrc and .node-version, with aliases resolved by the schedule as of the date', async () => {
    // [file content, date, range depguard reads, release it runs]
    const table: Array<[string, string, string, string | null]> = [
      ['22', TODAY, '22', '22.23.x'],
      ['v24.15.0', TODAY, '24.15.0', '24.15.0'],
      ['24.15', TODAY, '24.15', '24.15.x'],
      ['lts/*', TODAY, '26.x', '26.13.x'],
      ['lts/*', '2025-06-01', '22.x', '22.16.x'],
      ['lts/-1', TODAY, '24.x', '24.22.x'],
      ['lts/jod', TODAY, '22.x', '22.23.x'],
      ['lts/Iron', TODAY, '20.x', '20.20.x'],
      ['node', TODAY, '26.x', '26.13.x'],
      ['node', '2025-01-01', '23.x', '23.5.x'],
      ['current', TODAY, '26.x', '26.13.x'],
      ['  22  # the team\'s line', TODAY, '22', '22.23.x'],
    ];
    for (const [content, today, range, resolved] of table) {
      for (const file of ['.nvmrc', '.node-version']) {
        const { finding, diagnostics } = await sourceProbe(file, content, today);
        expect(diagnostics, `${file} ${content}`).toEqual([]);
        expect(finding?.evidence, `${file} ${content} @ ${today}`).toMatchObject({ source: file, file, value: content.replace(/#.*/, '').trim(), range, resolved });
      }
    }
  });

  it('reads volta.node and devEngines.runtime (object or array, node entries only)', async () => {
    const manifest = {
      name: 'app',
      engines: { node: '^24.15.0' },
      volta: { node: '22.11.0' },
      devEngines: { runtime: [{ name: 'bun', version: '1' }, { name: 'node', version: '>=26', onFail: 'warn' }] },
    };
    const { findings } = await check(inMemory(manifest));
    const volta = only(findings, 'sources-disagree').find((f) => f.evidence.source === 'volta.node');
    expect(volta!.evidence).toMatchObject({ reason: 'outside-range', source: 'volta.node', file: 'package.json', value: '22.11.0', range: '22.11.0', resolved: '22.11.0', reference: { source: 'engines.node', value: '^24.15.0' } });
    const dev = only(findings, 'sources-disagree').find((f) => f.evidence.source === 'devEngines.runtime');
    expect(dev!.evidence).toMatchObject({ reason: 'outside-range', value: '>=26', onFail: 'warn', outside: ['>=26.0.0 <27.0.0'] });
    expect(only(findings, 'open-ended').map((f) => f.evidence.source)).toEqual(['devEngines.runtime']);
  });

  it('reads the devEngines fixture as agreeing with engines.node', async () => {
    const { findings, diagnostics } = await checkFixture('engines-devengines-volta', { options: { eolSoonDays: 150 } });
    expect(findings).toEqual([]);
    expect(diagnostics).toEqual([]);
  });

  it('reads setup-node steps: matrix values (list and include), env, node-version-file', async () => {
    const workflow = `name: ci
env:
  LINT_NODE: "24.x"
jobs:
  test:
    strategy:
      matrix:
        node-version: [20, 22.10, '26']
        os: [ubuntu-latest]
        include:
          - node-version: 24
            os: windows-latest
        exclude:
          - node-version: 18
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with:
          node-version: \${{ matrix['node-version'] }}
  lint:
    steps:
      - uses: actions/setup-node@v4.1.0
        with:
          node-version: \${{ env.LINT_NODE }}
      - uses: actions/setup-node@v4
        with:
          node-version-file: .tool-versions
`;
    const g = inMemory({ name: 'app', engines: { node: '^22.10.0 || ^24.0.0 || ^26.0.0' } }, [], { '.github/workflows/ci.yml': workflow, '.tool-versions': 'ruby 3.3.0\nnodejs 24.11.0\n' });
    const { findings, diagnostics } = await check(g, { options: { eolSoonDays: 0 } });
    expect(diagnostics).toEqual([]);
    const ci = findings.filter((f) => f.evidence.source === 'github-actions');
    expect(ci.map((f) => [f.rule, f.evidence.value])).toEqual([['engines/end-of-life', '20'], ['engines/sources-disagree', '20']]);
    expect(ci[0]!.evidence).toMatchObject({ file: '.github/workflows/ci.yml', job: 'test', line: 8, expression: "${{ matrix['node-version'] }}", range: '20', resolved: '20.20.x' });
    // 22.10 stays 22.10 (not the number 22.1); 24 from include, 24.x from env and 24.11.0 from .tool-versions are all within engines.
    expect(rules(findings)).not.toContain('engines/no-maintained-line');
    const tested = await check(inMemory({ name: 'app', engines: { node: '^22.10.0 <22.11.0' } }, [], { '.github/workflows/ci.yml': workflow, '.tool-versions': 'nodejs 22.10.0\n' }), { options: { eolSoonDays: 0 } });
    const outside = only(tested.findings, 'sources-disagree').filter((f) => f.evidence.reason === 'outside-range').map((f) => f.evidence.value);
    expect(outside.sort()).toEqual(['20', '24', '24.x', '26']);
  });

  it('reads FROM node:<tag> in the Dockerfile: versions, variants, aliases, codenames, build args, digests', async () => {
    // [tag as written, date, range depguard reads, release]
    const table: Array<[string, string, string, string | null]> = [
      ['node:22', TODAY, '22', '22.23.x'],
      ['node:22.22', TODAY, '22.22', '22.22.x'],
      ['node:22-alpine', TODAY, '22', '22.23.x'],
      ['node:24.15.0-bookworm-slim', TODAY, '24.15.0', '24.15.0'],
      ['node:lts', TODAY, '26.x', '26.13.x'],
      ['node:lts-alpine', '2025-06-01', '22.x', '22.16.x'],
      ['node:current', TODAY, '26.x', '26.13.x'],
      ['node:current-alpine', '2025-06-01', '24.x', '24.1.x'],
      ['node:latest', TODAY, '26.x', '26.13.x'],
      ['node', TODAY, '26.x', '26.13.x'],
      ['node:alpine', TODAY, '26.x', '26.13.x'],
      ['node:jod', TODAY, '22.x', '22.23.x'],
      ['node:krypton-slim', TODAY, '24.x', '24.22.x'],
      ['docker.io/library/node:24@sha256:0123456789abcdef', TODAY, '24', '24.22.x'],
    ];
    for (const [image, today, range, resolved] of table) {
      const g = inMemory({ name: 'app', engines: { node: '^0.0.1' } }, [], { Dockerfile: `# build\nFROM --platform=linux/amd64 ${image} AS base\nRUN true\n` });
      const { findings, diagnostics } = await check(g, { today });
      expect(diagnostics, image).toEqual([]);
      const finding = findings.find((f) => f.evidence.source === 'Dockerfile');
      expect(finding?.evidence, `${image} @ ${today}`).toMatchObject({ source: 'Dockerfile', file: 'Dockerfile', value: image, range, resolved, line: 2 });
    }
    const args = inMemory({ name: 'app', engines: { node: '^0.0.1' } }, [], { Dockerfile: 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine\nARG LATER=18\nFROM node:${LATER:-24}\nFROM python:3.12\n' });
    const values = (await check(args)).findings.filter((f) => f.evidence.source === 'Dockerfile').map((f) => f.evidence.value);
    expect([...new Set(values)].sort()).toEqual(['node:22-alpine', 'node:24']);
  });

  it('reads the sources of the alias fixture as of the date', async () => {
    const { findings, diagnostics } = await checkFixture('engines-aliases');
    expect(diagnostics).toEqual([]);
    expect(rules(findings)).toEqual(['engines/sources-disagree']);
    expect(findings[0]!.evidence).toMatchObject({ reason: 'different-lines', lines: ['26', '24'] });
    const sources = findings[0]!.evidence.sources as Array<Record<string, unknown>>;
    expect(sources.map((s) => [s.source, s.value, s.range])).toEqual([
      ['.nvmrc', 'lts/*', '26.x'],
      ['Dockerfile', 'node:lts-alpine', '26.x'],
      ['Dockerfile', 'docker.io/library/node:krypton-slim', '24.x'],
    ]);
    // A year earlier lts/* was 22, lts is 22 and krypton was not LTS yet: a tag that does not exist.
    const earlier = await checkFixture('engines-aliases', { today: '2025-06-01' });
    expect(earlier.diagnostics).toEqual([expect.objectContaining({ file: 'Dockerfile', message: expect.stringContaining('krypton-slim') })]);
  });

  it('turns every source it cannot read into a diagnostic with the file and value, and goes on', async () => {
    const { findings, diagnostics } = await checkFixture('engines-unreadable-sources');
    expect(findings).toEqual([]);
    expect(diagnostics.map((d) => [d.code, d.file])).toEqual([
      ['UNREADABLE_NODE_VERSION', 'package.json'],
      ['UNREADABLE_NODE_VERSION', '.nvmrc'],
      ['UNREADABLE_WORKFLOW', '.github/workflows/broken.yml'],
      ['UNREADABLE_NODE_VERSION', '.github/workflows/dynamic.yml'],
      ['UNREADABLE_NODE_VERSION', 'Dockerfile'],
    ]);
    expect(diagnostics[1]!.message).toContain('"iojs"');
    expect(diagnostics[3]!.message).toContain('${{ matrix.node }}');
    expect(diagnostics[4]!.message).toContain('node:${NODE_VERSION}');
  });

  it('does not follow a symlink out of the project', async () => {
    const outside = projectDir({ 'secret.txt': 'hunter2\n' });
    const dir = projectDir({ 'package.json': { name: 'app', engines: { node: '^24.15.0' } } });
    symlinkSync(join(outside, 'secret.txt'), join(dir, '.nvmrc'));
    const g = inMemory({ name: 'app', engines: { node: '^24.15.0' } });
    g.projectPath = dir;
    const { findings, diagnostics } = await check(g);
    expect(JSON.stringify({ findings, diagnostics })).not.toContain('hunter2');
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'ENGINES_SOURCE_SKIPPED', file: '.nvmrc' })]);
  });

  it('judges runtime pins against the schedule: end-of-life without a duplicate no-maintained-line', async () => {
    const { findings } = await checkFixture('engines-end-of-life');
    expect(findings.map((f) => [f.rule, f.evidence.source]).sort()).toEqual([
      ['engines/end-of-life', '.nvmrc'],
      ['engines/end-of-life', 'Dockerfile'],
      ['engines/end-of-life', 'engines.node'],
      ['engines/eol-soon', 'engines.node'],
      ['engines/open-ended', 'engines.node'],
    ]);
    expect(only(findings, 'end-of-life', 'Dockerfile')[0]!.evidence).toMatchObject({ value: 'node:18-alpine', range: '18', resolved: '18.20.x', line: 2, lines: [{ line: '18', end: '2025-04-30' }] });
    expect(only(findings, 'end-of-life', '.nvmrc')[0]!.evidence).toMatchObject({ value: 'lts/hydrogen', range: '18.x' });
  });

  it('reports a runtime pin on an odd line, and one on a line not yet released', async () => {
    const march = await checkFixture('engines-odd-line', { today: '2026-03-01' });
    expect(only(march.findings, 'odd-line').map((f) => f.evidence.source).sort()).toEqual(['.node-version', 'engines.node']);
    expect(only(march.findings, 'odd-line', '.node-version')[0]!.evidence).toMatchObject({ value: '25.2.0', resolved: '25.2.0', lines: [{ line: '25', end: '2026-06-01' }] });
    const november = await checkFixture('engines-odd-line');
    expect(rules(november.findings)).toEqual(['engines/end-of-life', 'engines/end-of-life']);
    const unreleased = await check(inMemory({ name: 'app', engines: { node: '^26.0.0 || ^27.0.0' } }, [], { '.nvmrc': '27\n' }));
    expect(unreleased.findings.map((f) => [f.rule, f.evidence.source])).toEqual([['engines/no-maintained-line', '.nvmrc']]);
    expect(unreleased.findings[0]!.evidence).toMatchObject({ range: '27', resolved: null });
  });
});

/** How a pin is read, seen through its disagreement with an engines.node that admits nothing real. */
async function sourceProbe(file: string, content: string, today: string): Promise<{ finding: Finding | undefined; diagnostics: Diagnostic[] }> {
  const { findings, diagnostics } = await check(inMemory({ name: 'app', engines: { node: '<0.0.1' } }, [], { [file]: `${content}\n` }), { today });
  return { finding: findings.find((f) => f.rule === 'engines/sources-disagree' && f.evidence.source === file), diagnostics };
}

describe('engines: sources-disagree', () => {
  it('reports CI and pins outside engines.node, pins on different lines, and LTS lines CI never tests', async () => {
    const { findings } = await checkFixture('engines-sources-disagree');
    const disagree = only(findings, 'sources-disagree');
    expect(disagree.every((f) => f.severity === 'moderate' && f.package === null)).toBe(true);
    expect(disagree.map((f) => [f.evidence.reason, f.evidence.source ?? null, f.evidence.value ?? null]).sort()).toEqual([
      ['different-lines', null, null],
      ['outside-range', 'github-actions', '20'],
      ['outside-range', 'volta.node', '22.11.0'],
      ['untested-line', null, null],
    ]);
    const ci = disagree.find((f) => f.evidence.source === 'github-actions')!;
    expect(ci.evidence).toMatchObject({ file: '.github/workflows/test.yml', job: 'unit', resolved: '20.20.x', reference: { source: 'engines.node', value: '^22.12.0 || ^24.0.0' } });
    expect(disagree.find((f) => f.evidence.reason === 'untested-line')!.evidence).toMatchObject({ lines: ['22', '24'], tested: ['20'], workflows: ['.github/workflows/test.yml'] });
    expect(disagree.find((f) => f.evidence.reason === 'different-lines')!.evidence).toMatchObject({ lines: ['22', '24'] });
    const sources = disagree.find((f) => f.evidence.reason === 'different-lines')!.evidence.sources as Array<Record<string, unknown>>;
    expect(sources.map((s) => [s.source, s.value])).toEqual([['volta.node', '22.11.0'], ['Dockerfile', 'node:24-alpine']]);
  });

  it('stays quiet when pins and CI agree with engines.node and CI tests every maintained LTS line', async () => {
    const { findings } = await checkFixture('engines-maintained-lts');
    expect(rules(findings)).toEqual(['engines/eol-soon', 'engines/eol-soon']);
    expect(findings.map((f) => f.evidence.source).sort()).toEqual(['engines.node', 'github-actions']);
    expect((await checkFixture('engines-maintained-lts', { options: { eolSoonDays: 150 } })).findings).toEqual([]);
  });

  it('judges a floating pin by its minor release, not its .0 (node-releases lists minors only)', async () => {
    // On 2026-03-01 the newest 22 release listed is 22.22.0; nvm would install 22.22.2 or later, which ^22.22.2 admits.
    const g = inMemory({ name: 'app', engines: { node: '^22.22.2 || ^24.15.0' } }, [], { '.nvmrc': '22\n' });
    expect(only((await check(g, { today: '2026-03-01' })).findings, 'sources-disagree')).toEqual([]);
  });

  it('does not judge a setup-node step that reads .nvmrc twice, but counts it as tested', async () => {
    const workflow = 'jobs:\n  test:\n    steps:\n      - uses: actions/setup-node@v4\n        with:\n          node-version-file: .nvmrc\n';
    const g = inMemory({ name: 'app', engines: { node: '^20.0.0 || ^24.0.0' } }, [], { '.nvmrc': 'lts/iron\n', '.github/workflows/ci.yml': workflow });
    const { findings } = await check(g);
    expect(findings.map((f) => [f.rule, f.evidence.source ?? f.evidence.reason]).sort()).toEqual([
      ['engines/end-of-life', '.nvmrc'],
      ['engines/end-of-life', 'engines.node'],
      ['engines/sources-disagree', 'untested-line'],
    ]);
    expect(only(findings, 'sources-disagree')[0]!.evidence).toMatchObject({ lines: ['24'], tested: ['20'] });
  });
});

describe('engines: dependency-excludes', () => {
  it('reports each package whose engines.node leaves out part of the project range, and its own dependencies', async () => {
    const { findings, diagnostics } = await checkFixture('engines-dependency-excludes');
    const excludes = only(findings, 'dependency-excludes');
    // Worst first: dev-tool, reachable only through devDependencies, is low (the next test), so it comes last.
    expect(excludes.map((f) => [f.package!.name, f.evidence.excluded]).sort()).toEqual([
      ['dev-tool', ['22.22.2–22.x', '24.15.0–24.x']],
      ['legacy-lib', ['24.15.0–24.x', '26.x']],
      ['modern-core', ['22.22.2–22.x']],
      ['modern-lib', ['22.22.2–22.x']],
    ]);
    const core = excludes.find((f) => f.package!.name === 'modern-core')!;
    expect(core).toMatchObject({
      severity: 'moderate',
      package: { name: 'modern-core', version: '1.0.0', location: 'node_modules/modern-core' },
      paths: [['modern-lib@2.0.0', 'modern-core@1.0.0']],
      evidence: { engines: '^24.15.0 || >=26.0.0', enginesFrom: 'lockfile', project: { source: 'engines.node', range: LTS_ONLY, judged: 'declared' }, excludes: ['>=22.22.2 <23.0.0'], lines: ['22'] },
    });
    expect(excludes.find((f) => f.package!.name === 'legacy-lib')!.evidence).toMatchObject({ excludes: ['>=24.15.0 <25.0.0', '>=26.0.0 <27.0.0'], lines: ['24', '26'] });
    expect(excludes.map((f) => f.package!.name)).not.toContain('fine-lib');
    expect(diagnostics).toEqual([expect.objectContaining({ code: 'UNREADABLE_ENGINES', package: { name: 'broken-engines', version: '1.0.0', location: 'node_modules/broken-engines' } })]);
  });

  it('drops dev-only packages with --omit dev', async () => {
    const { findings } = await checkFixture('engines-dependency-excludes', { omit: ['dev'] });
    expect(only(findings, 'dependency-excludes').map((f) => f.package!.name)).toEqual(['legacy-lib', 'modern-core', 'modern-lib']);
  });

  it('is raised to high per rule, as npm engine-strict would fail the install', async () => {
    const { graph: g } = await loadProject(fixture('engines-dependency-excludes'));
    const policy = await presetPolicy('recommended');
    policy.rules.set('engines/dependency-excludes', 'high');
    const { findings } = await runChecks({ graph: g, policy, registries: EXAMPLE_REGISTRY, only: ['engines'], today: TODAY });
    expect(new Set(only(findings, 'dependency-excludes').filter((f) => f.package!.name !== 'dev-tool').map((f) => f.severity))).toEqual(new Set(['high']));
    // Reachable only through devDependencies: never installed by the project's users, so at most low whatever the policy says.
    expect(only(findings, 'dependency-excludes').find((f) => f.package!.name === 'dev-tool')).toMatchObject({ severity: 'low', evidence: { devOnly: true } });
  });

  it('judges against the maintained LTS lines when the project has no engines.node, and says so', async () => {
    const { findings } = await checkFixture('engines-missing');
    // One project finding, not one per dependency: what the dependencies leave out is in its evidence and message.
    expect(rules(findings)).toEqual(['engines/missing']);
    expect(findings[0]).toMatchObject({
      package: null,
      evidence: { judgedAgainst: 'maintained-lts', range: '22.x || 24.x || 26.x', dependencyExcludes: { count: 1, lines: ['22'], packages: [{ package: 'needs-24@1.0.0', engines: '>=24', excluded: ['22.x'], devOnly: false }] } },
    });
    expect(findings[0]!.message).toContain('1 package leaves out part of line 22 (needs-24@1.0.0)');
  });

  it('reads engines from installed manifests for a v1 lockfile, which records none', async () => {
    const { findings } = await checkFixture('engines-lockfile-v1');
    expect(findings.map((f) => [f.rule, f.package?.name, f.evidence.enginesFrom, f.evidence.excluded])).toEqual([['engines/dependency-excludes', 'new-lib', 'manifest', ['24.15.0–24.x']]]);
  });

  it('reads engines from installed manifests for a bun.lock, which records none (engines-bun)', async () => {
    const { findings } = await checkFixture('engines-bun');
    expect(findings.map((f) => [f.rule, f.package?.name, f.evidence.enginesFrom, f.evidence.excluded])).toEqual([['engines/dependency-excludes', 'new-lib', 'manifest', ['24.15.0–24.x']]]);
  });

  it('reads engines from installed manifests for a yarn.lock, which records none (yarn hoists the copy to node_modules/<name>)', async () => {
    const lockfile = ['new-lib', 'old-lib'].map((name) => `${name}@1.0.0:\n  version "1.0.0"\n  resolved "https://registry.example.org/${name}/-/${name}-1.0.0.tgz"\n`).join('\n');
    const dir = tempProject({ 'package.json': { ...(JSON.parse(readFileSync(join(fixture('engines-lockfile-v1'), 'package.json'), 'utf8')) as object), packageManager: 'yarn@1.22.22' }, 'yarn.lock': `# yarn lockfile v1\n\n${lockfile}` }, fixture('engines-lockfile-v1'));
    const { graph: g } = await loadProject(dir);
    const { findings } = await check(g);
    expect(findings.map((f) => [f.rule, f.package?.name, f.evidence.enginesFrom, f.evidence.excluded])).toEqual([['engines/dependency-excludes', 'new-lib', 'manifest', ['24.15.0–24.x']]]);
  });

  it('does not fire for a package that admits the whole project range, or has no engines', async () => {
    const nodes = [node({ location: 'node_modules/a', engines: { node: '>=18' } }), node({ location: 'node_modules/b', engines: { npm: '>=10' } }), node({ location: 'node_modules/c', engines: { node: '^22.0.0 || ^24.0.0 || >=26.0.0' } })];
    const { findings } = await check(inMemory({ name: 'app', engines: { node: LTS_ONLY } }, nodes), { options: { eolSoonDays: 0 } });
    expect(findings).toEqual([]);
  });

  it('judges only lines released by the audit date, and with dependencyRange maintained only maintained ones', async () => {
    const nodes = [node({ location: 'node_modules/a', engines: { node: '^24.0.0 || ^26.0.0' } })];
    const g = inMemory({ name: 'app', engines: { node: '>=24' } }, nodes);
    // 25 is out (and end-of-life): the package leaves it out; 27 is not out yet, so it does not count.
    const declared = only((await check(g)).findings, 'dependency-excludes');
    expect(declared.map((f) => f.evidence.excluded)).toEqual([['25.x']]);
    expect(declared[0]!.evidence.project).toEqual({ source: 'engines.node', range: '>=24', judged: 'declared' });
    expect(only((await check(g, { today: '2027-05-01' })).findings, 'dependency-excludes').map((f) => f.evidence.excluded)).toEqual([['25.x', '27.x']]);
    // Judged on maintained lines only: 25 is left to engines/end-of-life; 27, once out, is maintained.
    const maintained = { options: { dependencyRange: 'maintained' } };
    expect(only((await check(g, maintained)).findings, 'dependency-excludes')).toEqual([]);
    const later = only((await check(g, { ...maintained, today: '2027-05-01' })).findings, 'dependency-excludes');
    expect(later.map((f) => [f.evidence.excluded, (f.evidence.project as { judged: string }).judged])).toEqual([[['27.x'], 'maintained']]);
  });

  it('handles a 2,000-package graph quickly, parsing each distinct range once', async () => {
    const ranges = ['>=8', '>=18', '^18.17.0 || >=20.5.0', '>=24.15.0', '^14.17.0 || ^16.13.0 || >=18.0.0', '>= 0.4', '*'];
    const nodes = Array.from({ length: 2000 }, (_, i) => node({ location: `node_modules/pkg-${i}`, engines: { node: ranges[i % ranges.length]! } }));
    const g = inMemory({ name: 'app', engines: { node: LTS_ONLY } }, nodes);
    const start = performance.now();
    const { findings } = await check(g);
    const elapsed = performance.now() - start;
    expect(only(findings, 'dependency-excludes')).toHaveLength(Math.ceil((2000 - 3) / 7));
    expect(elapsed).toBeLessThan(2000);
  });
});

describe('engines: real lockfiles', () => {
  const projects = ['npm-cli', 'lockfile-lint', 'santa-tracker-web'];
  const present = projects.every((project) => existsSync(join(SHARED_DATA, 'lockfiles', project, 'package-lock.json')));
  if (!present) {
    it.skip(`skipped: the real lockfiles are not in ${join(SHARED_DATA, 'lockfiles')} (CI lays ../shared beside the clone)`, () => {});
    return;
  }
  const load = async (project: string) => (await loadProject(join(SHARED_DATA, 'lockfiles', project))).graph;

  it('npm-cli (^20.17.0 || >=22.9.0): 20, 23 and 25 are end-of-life; every package admits its whole range', async () => {
    const { findings, diagnostics } = await check(await load('npm-cli'));
    expect(diagnostics).toEqual([]);
    expect(findings.map((f) => f.rule)).toEqual(['engines/end-of-life', 'engines/eol-soon', 'engines/open-ended']);
    expect(lines(findings[0])).toEqual(['20', '23', '25']);
    expect(only(findings, 'dependency-excludes')).toEqual([]);
  });

  it('npm-cli with engines.node widened to >=18: the packages that need 18.17, 20.5 or 20.17 are named', async () => {
    const g = await load('npm-cli');
    g.manifest = { ...g.manifest, engines: { node: '>=18' } };
    const excludes = only((await check(g)).findings, 'dependency-excludes');
    // Independent of depguard's set arithmetic: every released Node version in >=18 <27 that semver says the package rejects.
    const releases = (JSON.parse(readFileSync(join(REPO, 'node_modules/node-releases/data/processed/envs.json'), 'utf8')) as Array<{ version: string; date: string }>)
      .filter((r) => r.date <= TODAY && semver.satisfies(r.version, '>=18 <27'))
      .map((r) => r.version);
    const expected = [...g.nodes.values()].filter((n) => n.location !== '' && n.engines?.node && releases.some((v) => !semver.satisfies(v, n.engines!.node!))).map((n) => n.location);
    expect(excludes.map((f) => f.package!.location).sort()).toEqual(expected.sort());
    expect(excludes).toHaveLength(80);
    const byName = (name: string) => excludes.find((f) => f.package!.name === name && f.package!.location === `node_modules/${name}`);
    expect(byName('@npmcli/agent')!.evidence).toMatchObject({ engines: '^18.17.0 || >=20.5.0', excluded: ['18.0.0–18.16.x', '19.0.0–20.4.x'] });
    expect(byName('undici')!.evidence).toMatchObject({ engines: '>=18.17', excluded: ['18.0.0–18.16.x'] });
    const workspace = excludes.find((f) => f.package!.location === 'workspaces/arborist')!;
    expect(workspace.evidence).toMatchObject({ engines: '^20.17.0 || >=22.9.0', excluded: ['18.0.0–20.16.x', '21.0.0–22.8.x'] });
    expect((await check(g, { omit: ['dev'] })).findings.filter((f) => f.rule === 'engines/dependency-excludes').length).toBeLessThan(excludes.length);
  });

  it('lockfile-lint (>=24.0.0): 25 is end-of-life; no package excludes any of 24–26', async () => {
    const { findings } = await check(await load('lockfile-lint'));
    expect(findings.map((f) => f.rule)).toEqual(['engines/end-of-life', 'engines/open-ended']);
    expect(lines(findings[0])).toEqual(['25']);
  });

  it('santa-tracker-web (no engines): missing, judged against 22, 24 and 26, which every package admits', async () => {
    const { findings } = await check(await load('santa-tracker-web'));
    expect(findings.map((f) => f.rule)).toEqual(['engines/missing']);
    // Against Node 10 (its own era) the packages that need 10.6+ or 10.10+ would show.
    const g = await load('santa-tracker-web');
    g.manifest = { ...g.manifest, engines: { node: '>=10 <11' } };
    const excludes = only((await check(g, { today: '2019-01-01' })).findings, 'dependency-excludes');
    expect(excludes.map((f) => `${f.package!.name}@${f.package!.version}`).sort()).toEqual(['@firebase/firestore@2.4.0', '@grpc/grpc-js@1.4.2', 'firebase@8.10.0', 'fsevents@2.3.2']);
  });
});
