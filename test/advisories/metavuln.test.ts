// depguard's Calculator runs npm's own metavulnerability arithmetic
// (@npmcli/metavuln-calculator) on packuments it is handed: the calculator's
// own fixtures (shared/data/peers/metavuln-calculator, SOURCES.md 2.3) must
// give what its tests expect. And the one shortcut npm takes (each
// major.minor group of versions is judged by its ends when both are
// vulnerable) is kept on purpose, so depguard answers as npm audit does; the
// last test pins that difference from an exact answer down.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { Calculator, emptyPackument, type CalcPackument } from '../../src/checks/advisories/calculator.js';
import { bulkAdvisory } from '../../src/enrich/advisories/npm-bulk.js';
import { SHARED_DATA } from '../helpers/project.js';

const FIXTURES = join(SHARED_DATA, 'peers/metavuln-calculator/test/fixtures');
const present = existsSync(FIXTURES);
if (!present) console.warn(`skipping metavuln-calculator fixtures: ${FIXTURES} is absent`);
const json = (path: string): any => JSON.parse(readFileSync(join(FIXTURES, path), 'utf8'));

function loader(packuments: Record<string, unknown>) {
  return async (name: string): Promise<CalcPackument> => (packuments[name] as CalcPackument | undefined) ?? emptyPackument(name);
}

describe.skipIf(!present)('npm\'s calculator on its own fixtures', () => {
  it('an advisory marks exactly the published versions in its range (prereleases included)', async () => {
    const calculator = new Calculator(loader({ semver: json('packuments/semver.json') }));
    const advisory = await calculator.advisory(bulkAdvisory('semver', json('advisories/semver.json'))!);
    const published = Object.keys(json('packuments/semver.json').versions);
    const expected = published.filter((version) => semver.satisfies(version, '<4.3.2', { includePrerelease: true, loose: true }));
    expect([...advisory.vulnerableVersions].sort()).toEqual([...expected].sort());
  });

  it('mkdirp depends on vulnerable minimist in 0.4.1 - 0.5.1, at the advisory\'s severity; no pacote depends on vulnerable semver', async () => {
    const calculator = new Calculator(loader({ minimist: json('packuments/minimist.json'), mkdirp: json('packuments/mkdirp.json'), semver: json('packuments/semver.json'), pacote: json('packuments/pacote.json') }));
    const minimist = await calculator.advisory(bulkAdvisory('minimist', json('advisories/minimist.json'))!);
    const mkdirp = await calculator.metavuln('mkdirp', minimist);
    expect(mkdirp.range).toBe('0.4.1 - 0.5.1');
    expect([...mkdirp.vulnerableVersions].sort(semver.compare)).toEqual(['0.4.1', '0.4.2', '0.5.0', '0.5.1']);
    expect(mkdirp.severity).toBe('low');
    expect(calculator.root(mkdirp).id).toBe('1179');
    const pacote = await calculator.metavuln('pacote', await calculator.advisory(bulkAdvisory('semver', json('advisories/semver.json'))!));
    expect(pacote.range).toBe('<0.0.0-0');
  });

  it('an advisory without a range covers every version; without a severity it is high', async () => {
    expect(bulkAdvisory('x', json('advisories/no-vulnerable-versions-specified.json'))!.range).toBe('*');
    expect(bulkAdvisory('x', json('advisories/no-severity-specified.json'))!.severity).toBe('high');
  });
});

describe('npm\'s shortcut, kept for parity', () => {
  // dependent 1.0.1 moved to a safe minimist range; 1.0.0 and 1.0.2 pin a vulnerable one.
  const minimist = { name: 'minimist', 'dist-tags': { latest: '1.2.8' }, versions: Object.fromEntries(['0.0.8', '1.2.8'].map((v) => [v, { name: 'minimist', version: v, dependencies: {} }])) };
  const dependent = {
    name: 'dependent',
    'dist-tags': { latest: '1.0.2' },
    versions: {
      '1.0.0': { name: 'dependent', version: '1.0.0', dependencies: { minimist: '0.0.8' } },
      '1.0.1': { name: 'dependent', version: '1.0.1', dependencies: { minimist: '^1.2.8' } },
      '1.0.2': { name: 'dependent', version: '1.0.2', dependencies: { minimist: '0.0.8' } },
    },
  };

  it('judges 1.0.1 vulnerable with its group (head and tail are), where an exact test would not', async () => {
    const calculator = new Calculator(loader({ minimist, dependent }));
    const advisory = await calculator.advisory(bulkAdvisory('minimist', { id: 1, title: 'Prototype Pollution', severity: 'high', vulnerable_versions: '<0.2.4' })!);
    const meta = await calculator.metavuln('dependent', advisory);
    // npm: the whole 1.0 line. Exact: 1.0.0 || 1.0.2 (1.0.1 allows only minimist 1.2.8).
    expect(meta.range).toBe('*');
    expect(meta.testVersion('1.0.1')).toBe(true);
    expect(advisory.testSpec(dependent.versions['1.0.1'].dependencies.minimist)).toBe(false);
  });
});
