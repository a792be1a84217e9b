import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depguard } from './helpers/cli.js';
import { fixture, REPO, tempProject } from './helpers/project.js';

const cleanManifest = JSON.parse(readFileSync(join(fixture('clean-app'), 'package.json'), 'utf8'));
const cleanLock = readFileSync(join(fixture('clean-app'), 'package-lock.json'), 'utf8');

/** Every exit-2 path: one message on stderr, no stack trace, nothing on stdout, nothing written. */
function expectCleanFailure(result: ReturnType<typeof depguard>, message: RegExp | string) {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(typeof message === 'string' ? new RegExp(message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

describe('depguard --version and --help', () => {
  it('prints the version from package.json', () => {
    const result = depguard(['--version']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version);
  });

  it('documents check with examples and exit codes', () => {
    const result = depguard(['check', '--help']);
    expect(result.code).toBe(0);
    for (const flag of ['--format', '--output', '--fail-on', '--config', '--policy', '--only', '--skip', '--omit', '--min-severity', '--no-color', '--registry']) {
      expect(result.stdout).toContain(flag.replace('--no-color', '--color'));
    }
    expect(depguard(['--help']).stdout).toContain('Exit codes: 0');
  });
});

describe('depguard check: exit codes and output', () => {
  it('exits 0 on a clean project and prints a summary line', () => {
    const result = depguard(['check', fixture('clean-app')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/no findings in 3 packages; pass: none at or above high; not run: advisories \(--skip\)\n$/);
  });

  it('exits 1 when findings reach --fail-on, and 0 when the threshold is above them or none', () => {
    expect(depguard(['check', fixture('risky-app')]).code).toBe(1);
    expect(depguard(['check', fixture('risky-app'), '--fail-on', 'critical']).code).toBe(0);
    expect(depguard(['check', fixture('risky-app'), '--fail-on', 'none']).code).toBe(0);
  });

  it('emits the JSON contract', () => {
    const result = depguard(['check', fixture('risky-app'), '--format', 'json']);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'project', 'summary', 'findings', 'diagnostics', 'checks', 'skipped']);
    expect(doc.skipped).toEqual([{ check: 'advisories', reason: '--skip' }]);
    expect(doc.checks['install-scripts'].packages).toEqual([]);
    expect(doc.tool.name).toBe('depguard');
    expect(doc.project).toEqual({ name: 'risky-app', version: '2.0.0', path: fixture('risky-app'), packageCount: 2 });
    expect(Object.keys(doc.summary)).toEqual(['info', 'low', 'moderate', 'high', 'critical', 'waived']);
    const rules = doc.findings.map((f: { rule: string; package: { name: string } | null }) => `${f.rule} ${f.package?.name ?? '-'}`);
    expect(rules).toEqual(expect.arrayContaining(['pinning/wildcard ms', 'lockfile/insecure-protocol is-number', 'lockfile/foreign-host is-number', 'pinning/range is-number']));
    for (const finding of doc.findings) {
      expect(Object.keys(finding)).toEqual(expect.arrayContaining(['check', 'rule', 'severity', 'package', 'paths', 'message', 'evidence']));
    }
  });

  it('--min-severity hides findings without changing the exit code', () => {
    const result = depguard(['check', fixture('risky-app'), '--format', 'json', '--min-severity', 'critical']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).findings).toEqual([]);
  });

  it('--only and --skip pick checks; an unknown id is exit 2', () => {
    const only = JSON.parse(depguard(['check', fixture('risky-app'), '--format', 'json', '--only', 'pinning']).stdout);
    expect(new Set(only.findings.map((f: { check: string }) => f.check))).toEqual(new Set(['pinning']));
    const skip = JSON.parse(depguard(['check', fixture('risky-app'), '--format', 'json', '--skip', 'pinning,advisories']).stdout);
    expect(skip.findings.some((f: { check: string }) => f.check === 'pinning')).toBe(false);
    expectCleanFailure(depguard(['check', fixture('risky-app'), '--only', 'pinning,lockfle']), '--only: unknown check "lockfle"');
  });

  it('--omit dev drops findings about dev-only dependencies', () => {
    const dir = tempProject({ 'package.json': { ...cleanManifest, devDependencies: { semver: '*' } }, 'package-lock.json': cleanLock.replace('"semver": "^7.6.0"', '"semver": "*"') });
    const all = JSON.parse(depguard(['check', dir, '--format', 'json']).stdout);
    expect(all.findings.map((f: { rule: string }) => f.rule)).toContain('pinning/wildcard');
    const omitted = JSON.parse(depguard(['check', dir, '--format', 'json', '--omit', 'dev']).stdout);
    expect(omitted.findings.map((f: { rule: string }) => f.rule)).not.toContain('pinning/wildcard');
  });

  it('--output writes the report atomically and prints the summary on stderr', () => {
    const dir = tempProject({});
    const out = join(dir, 'report.md');
    const result = depguard(['check', fixture('risky-app'), '--format', 'markdown', '--output', out]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`wrote ${out}`);
    expect(readFileSync(out, 'utf8')).toMatch(/^## depguard: risky-app@2\.0\.0/);
    expect(readdirSync(dir)).toEqual(['report.md']);
  });

  it('groups markdown by rule like the report: counts per rule, then each rule in <details>, worst first', () => {
    const doc = JSON.parse(depguard(['check', fixture('risky-app'), '--format', 'json']).stdout) as { findings: Array<{ rule: string; severity: string; waived?: object }> };
    const text = depguard(['check', fixture('risky-app'), '--format', 'markdown']).stdout;
    const rank = ['info', 'low', 'moderate', 'high', 'critical'];
    const byRule = new Map<string, { worst: number; count: number }>();
    for (const f of doc.findings.filter((f) => !f.waived)) {
      const entry = byRule.get(f.rule) ?? { worst: -1, count: 0 };
      byRule.set(f.rule, { worst: Math.max(entry.worst, rank.indexOf(f.severity)), count: entry.count + 1 });
    }
    // Worst rule first, then the one with more findings, then by id.
    const rules = [...byRule].sort(([a, x], [b, y]) => y.worst - x.worst || y.count - x.count || (a < b ? -1 : 1)).map(([rule, { count }]) => `${rule} ${count}`);
    const summaries = [...text.matchAll(/<summary><code>([^<]+)<\/code>: ([^<]+)<\/summary>/g)].map((match) => `${match[1]} ${match[2]!.split(', ').reduce((sum, part) => sum + Number.parseInt(part, 10), 0)}`);
    expect(rules.length).toBeGreaterThan(2);
    expect(summaries).toEqual(rules);
    expect(text).toMatch(/### Findings by rule\n\n\| rule \| critical \| high \| moderate \| low \| info \|/);
    expect(text.indexOf('<details open>')).toBe(text.indexOf('<details'));
  });

  it('groups the table by check and rule, worst first, without colour when NO_COLOR is set', () => {
    const result = depguard(['check', fixture('risky-app')]);
    expect(result.stdout).not.toContain('\u001b[');
    // The counts by check first, then a section per rule.
    expect(result.stdout).toMatch(/^findings by rule .*\nlockfile +/m);
    const lockfileAt = result.stdout.indexOf('\nlockfile/foreign-host (');
    const pinningAt = result.stdout.indexOf('\npinning/wildcard (');
    expect(lockfileAt).toBeGreaterThanOrEqual(0);
    expect(pinningAt).toBeGreaterThanOrEqual(0);
    expect(result.stdout.trimEnd().split('\n').pop()).toMatch(/^\d+ findings \(.*\) in 2 packages; FAIL: \d+ at or above high; not run: advisories \(--skip\)$/);
  });

  it('applies waivers from the config and reports expired ones', () => {
    const dir = tempProject(
      {
        'depguard.config.json': {
          waivers: [
            { id: 'pinning/wildcard', package: 'ms', reason: 'replaced next sprint', expires: '2999-01-01' },
            { id: 'lockfile/foreign-host', reason: 'old mirror', expires: '2020-01-01' },
          ],
        },
      },
      fixture('risky-app'),
    );
    const doc = JSON.parse(depguard(['check', dir, '--format', 'json']).stdout);
    const wildcard = doc.findings.find((f: { rule: string }) => f.rule === 'pinning/wildcard');
    expect(wildcard.waived).toMatchObject({ reason: 'replaced next sprint' });
    expect(doc.summary.waived).toBe(1);
    expect(doc.findings.find((f: { rule: string }) => f.rule === 'lockfile/foreign-host').waived).toBeUndefined();
    expect(doc.findings.map((f: { rule: string }) => f.rule)).toContain('waivers/expired');
  });
});

describe('depguard check --date', () => {
  const waiver = { id: 'pinning/wildcard', package: 'ms', reason: 'until the upgrade', expires: '2026-12-31' };

  it('audits as of the given day: a waiver valid today has expired by then', () => {
    const dir = tempProject({ 'depguard.config.json': { waivers: [waiver] } }, fixture('risky-app'));
    const today = JSON.parse(depguard(['check', dir, '--format', 'json', '--date', '2026-12-31']).stdout);
    expect(today.findings.find((f: { rule: string }) => f.rule === 'pinning/wildcard').waived).toBeDefined();
    const later = JSON.parse(depguard(['check', dir, '--format', 'json', '--date', '2027-01-01']).stdout);
    expect(later.findings.find((f: { rule: string }) => f.rule === 'pinning/wildcard').waived).toBeUndefined();
    expect(later.findings.map((f: { rule: string }) => f.rule)).toContain('waivers/expired');
  });

  it('takes the config\'s date when there is no flag, and the flag over it', () => {
    const dir = tempProject({ 'depguard.config.json': { date: '2027-03-01', waivers: [waiver] } }, fixture('risky-app'));
    const asConfigured = JSON.parse(depguard(['check', dir, '--format', 'json'], { date: null }).stdout);
    expect(asConfigured.findings.map((f: { rule: string }) => f.rule)).toContain('waivers/expired');
    const flagged = JSON.parse(depguard(['check', dir, '--format', 'json', '--date', '2026-12-01']).stdout);
    expect(flagged.findings.map((f: { rule: string }) => f.rule)).not.toContain('waivers/expired');
  });

  it('rejects a date that does not exist', () => {
    expectCleanFailure(depguard(['check', fixture('clean-app'), '--date', '2027-02-29']), '--date: "2027-02-29" is not a real date (expected YYYY-MM-DD)');
  });
});

describe('depguard check: bad input is exit 2 with one clear message', () => {
  it('a path that does not exist', () => {
    expectCleanFailure(depguard(['check', '/nonexistent/project']), '/nonexistent/project does not exist');
  });

  it('no package.json', () => {
    const dir = tempProject({ 'README.md': 'not a project' });
    expectCleanFailure(depguard(['check', dir]), `no package.json in ${dir}`);
  });

  it('package.json that is not JSON: the file and the line', () => {
    const dir = tempProject({ 'package.json': '{\n  "name": "x",\n  "dependencies": {\n    "ms": "2.1.3"\n  \n' });
    expectCleanFailure(depguard(['check', dir]), /package\.json is not valid JSON at line \d+, column \d+/);
  });

  it('package.json whose dependencies field is not an object', () => {
    const dir = tempProject({ 'package.json': { name: 'x', dependencies: ['ms'] } });
    expectCleanFailure(depguard(['check', dir]), 'package.json: field "dependencies" must be an object of name to spec, found an array');
  });

  it('a lockfile that is not JSON', () => {
    const dir = tempProject({ 'package.json': cleanManifest, 'package-lock.json': cleanLock.slice(0, 200) });
    expectCleanFailure(depguard(['check', dir]), /package-lock\.json is not valid JSON at line \d+/);
  });

  it('an empty lockfile', () => {
    const dir = tempProject({ 'package.json': cleanManifest, 'package-lock.json': '' });
    expectCleanFailure(depguard(['check', dir]), 'package-lock.json is empty: expected a JSON document');
  });

  it('a lockfile that is JSON but not a lockfile', () => {
    const dir = tempProject({ 'package.json': cleanManifest, 'package-lock.json': { name: 'x', dependencies: { ms: '2.1.3' } } });
    expectCleanFailure(depguard(['check', dir]), 'package-lock.json is not an npm lockfile: field "lockfileVersion" must be 1, 2 or 3, found no such field');
    const v3 = tempProject({ 'package.json': cleanManifest, 'npm-shrinkwrap.json': { lockfileVersion: 3, packages2: {} } });
    expectCleanFailure(depguard(['check', v3]), 'npm-shrinkwrap.json: field "packages" must be an object of location to entry (lockfileVersion 3), found no such field');
    const nul = tempProject({ 'package.json': cleanManifest, 'package-lock.json': 'null' });
    expectCleanFailure(depguard(['check', nul]), 'package-lock.json is valid JSON but not an npm lockfile: expected an object, found null');
  });

  it('a yarn.lock is read, not refused (it was EUNSUPPORTED_LOCKFILE before the yarn loader); one that is not a yarn lockfile is exit 2', () => {
    const empty = tempProject({ 'package.json': cleanManifest, 'yarn.lock': '# yarn lockfile v1\n' });
    const result = depguard(['check', empty, '--only', 'lockfile', '--format', 'json']);
    // Read, not refused: 0 packages, and package.json's dependencies have no entry (exit 1, findings).
    expect(result.code, result.stderr).toBe(1);
    const output = JSON.parse(result.stdout) as { project: { packageCount: number }; findings: Array<{ rule: string; evidence: { reason: string } }> };
    expect(output.project.packageCount).toBe(0);
    expect(output.findings.length).toBeGreaterThan(0);
    expect(output.findings.every((finding) => finding.rule === 'lockfile/out-of-sync' && finding.evidence.reason === 'missing')).toBe(true);
    const broken = tempProject({ 'package.json': cleanManifest, 'yarn.lock': '__metadata:\n  version: 8\n"a@npm:1":\n  version: [1\n' });
    expectCleanFailure(depguard(['check', broken]), /yarn\.lock is not a yarn lockfile \(line \d+, column \d+\)/);
  });

  it('a pnpm-lock.yaml that is not a pnpm lockfile, or not YAML', () => {
    const notLockfile = tempProject({ 'package.json': cleanManifest, 'pnpm-lock.yaml': 'importers: {}\n' });
    expectCleanFailure(depguard(['check', notLockfile]), 'pnpm-lock.yaml is not a pnpm lockfile: expected a mapping with a "lockfileVersion" field, found keys importers');
    const notYaml = tempProject({ 'package.json': cleanManifest, 'pnpm-lock.yaml': 'lockfileVersion: [\n' });
    expectCleanFailure(depguard(['check', notYaml]), /pnpm-lock\.yaml is not valid YAML \(line \d+, column \d+\)/);
    const twice = tempProject({ 'package.json': cleanManifest, 'pnpm-lock.yaml': "lockfileVersion: '9.0'\n\npackages:\n\n  ms@2.1.3:\n    resolution: {integrity: sha512-AAAA}\n\n  ms@2.1.3:\n    resolution: {integrity: sha512-BBBB}\n" });
    expectCleanFailure(depguard(['check', twice]), 'pnpm-lock.yaml: packages key "ms@2.1.3" appears twice (lines 5 and 8)');
    const old = tempProject({ 'package.json': cleanManifest, 'pnpm-lock.yaml': 'shrinkwrapVersion: 3\nlockfileVersion: 4\n' });
    expectCleanFailure(depguard(['check', old]), `pnpm-lock.yaml: field "lockfileVersion" must be a pnpm lockfile version (5.3, 5.4, '6.0' or '9.0'), found 4`);
  });

  it('lockfiles of several managers: exit 2 naming them, unless package.json declares one or --lockfile chooses', () => {
    const npmLock = readFileSync(join(fixture('pm-service-npm'), 'package-lock.json'), 'utf8');
    const pnpmLock = readFileSync(join(fixture('pm-service-pnpm'), 'pnpm-lock.yaml'), 'utf8');
    const { packageManager: _declared, ...undeclared } = JSON.parse(readFileSync(join(fixture('pm-service-pnpm'), 'package.json'), 'utf8')) as Record<string, unknown>;
    const both = tempProject({ 'package.json': undeclared, 'package-lock.json': npmLock, 'pnpm-lock.yaml': pnpmLock }, fixture('pm-service-pnpm'));
    const ambiguous = depguard(['check', both, '--only', 'lockfile']);
    expectCleanFailure(ambiguous, 'found lockfiles of 2 package managers (package-lock.json, pnpm-lock.yaml) and package.json declares none');
    expect(ambiguous.stderr).toContain('hint: choose one with `--lockfile package-lock.json`');
    for (const file of ['pnpm-lock.yaml', 'package-lock.json']) {
      const chosen = depguard(['check', both, '--only', 'lockfile', '--lockfile', file, '--format', 'json', '--fail-on', 'none']);
      expect(chosen.code, chosen.stderr).toBe(0);
    }
    expectCleanFailure(depguard(['check', both, '--lockfile', 'yarn.lock']), '--lockfile yarn.lock: no such file in');
    expectCleanFailure(depguard(['check', both, '--lockfile', 'Gemfile.lock']), '--lockfile Gemfile.lock: expected one of npm-shrinkwrap.json, package-lock.json, pnpm-lock.yaml');
    // Declared: pnpm wins over the npm lockfile beside it.
    const declared = tempProject({ 'package-lock.json': npmLock }, fixture('pm-service-pnpm'));
    const result = depguard(['check', declared, '--only', 'lockfile', '--format', 'json', '--fail-on', 'none']);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout).findings.map((f: { rule: string }) => f.rule)).not.toContain('lockfile/missing');
  });

  it('a declared manager whose lockfile is missing: lockfile/missing, whatever other lockfile is there', () => {
    const npmLock = readFileSync(join(fixture('pm-service-npm'), 'package-lock.json'), 'utf8');
    const dir = tempProject({ 'package.json': { ...cleanManifest, packageManager: 'pnpm@10.34.8' }, 'package-lock.json': npmLock });
    const result = depguard(['check', dir, '--only', 'lockfile', '--format', 'json', '--fail-on', 'none']);
    expect(result.code, result.stderr).toBe(0);
    const missing = JSON.parse(result.stdout).findings.filter((f: { rule: string }) => f.rule === 'lockfile/missing');
    expect(missing).toHaveLength(1);
    expect(missing[0].message).toContain('pnpm-lock.yaml');
    expect(missing[0].evidence).toMatchObject({ manager: 'pnpm', expected: 'pnpm-lock.yaml', declaredBy: 'packageManager' });
  });

  it('bun.lockb alone: exit 2 saying how to write the text lockfile', () => {
    const dir = tempProject({ 'package.json': cleanManifest, 'bun.lockb': 'binary' });
    const result = depguard(['check', dir]);
    expectCleanFailure(result, "bun.lockb is bun's binary lockfile, which depguard cannot read");
    expect(result.stderr).toContain('bun install --save-text-lockfile');
  });

  it('a config with an unknown key or a bad value', () => {
    const unknown = tempProject({ 'depguard.config.json': { checks: {}, waiver: [] } }, fixture('clean-app'));
    expectCleanFailure(depguard(['check', unknown]), 'depguard.config.json: /: unknown key "waiver"');
    const bad = tempProject({ 'depguard.config.json': { checks: { pinning: 'loud' } } }, fixture('clean-app'));
    expectCleanFailure(depguard(['check', bad]), /depguard\.config\.json: \/checks\/pinning: expected one of "off", "on", "info"/);
  });

  it('an unknown flag or option value', () => {
    expectCleanFailure(depguard(['check', fixture('clean-app'), '--fail-on', 'severe']), /Invalid values:[\s\S]*fail-on/);
    expectCleanFailure(depguard(['check', fixture('clean-app'), '--frobnicate']), 'Unknown argument: frobnicate');
    expectCleanFailure(depguard(['check', fixture('clean-app'), '--policy', 'lenient']), 'unknown policy "lenient"');
  });

  it('never writes into the audited project', () => {
    const dir = tempProject({}, fixture('risky-app'));
    const before = readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs]);
    depguard(['check', dir, '--format', 'json']);
    expect(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).mtimeMs])).toEqual(before);
    expect(existsSync(join(dir, 'node_modules'))).toBe(false);
  });
});

describe('prototype keys in input do not change behaviour', () => {
  it('a dependency named __proto__ or constructor is refused with a clear message (npm cannot install it either)', () => {
    for (const name of ['__proto__', 'constructor']) {
      const dir = tempProject({ 'package.json': `{ "name": "proto-app", "version": "1.0.0", "dependencies": { "${name}": "*", "ms": "2.1.3" } }` });
      expectCleanFailure(depguard(['check', dir]), `package.json: dependencies["${name}"]: "${name}" cannot be a dependency name`);
    }
  });

  it('a config key named __proto__ inside checks is an unknown check, not a prototype change', () => {
    const dir = tempProject({ 'depguard.config.json': '{ "checks": { "__proto__": { "pinning": "off" } } }' }, fixture('risky-app'));
    expectCleanFailure(depguard(['check', dir]), '/checks/__proto__');
  });

  it('a waiver package selector named constructor matches nothing and is reported unused', () => {
    const dir = tempProject({ 'depguard.config.json': { waivers: [{ id: 'pinning/wildcard', package: 'constructor', reason: 'r', expires: '2999-01-01' }] } }, fixture('risky-app'));
    const doc = JSON.parse(depguard(['check', dir, '--format', 'json']).stdout);
    expect(doc.summary.waived).toBe(0);
    expect(doc.findings.map((f: { rule: string }) => f.rule)).toContain('waivers/unused');
  });
});
