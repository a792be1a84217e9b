// OSV records -> depguard's advisory: exact range conversion and the real
// data's quirks (shared/data/advisories/osv, SOURCES.md 1.3), CVSS scoring,
// npm bulk entries, and the offline database's readers.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { cvss3BaseScore, severityOfScore } from '../../src/enrich/advisories/cvss.js';
import { bulkAdvisory } from '../../src/enrich/advisories/npm-bulk.js';
import { OsvDatabaseSource } from '../../src/enrich/advisories/osv-db.js';
import { normaliseOsvRecord, osvEventsToRange } from '../../src/enrich/advisories/osv-record.js';
import { advisoriesFor, mayConcern } from '../../src/enrich/advisories/select.js';
import { REPO, SHARED_DATA } from '../helpers/project.js';

const OSV = join(SHARED_DATA, 'advisories/osv');
const shared = existsSync(OSV);
if (!shared) console.warn(`skipping the real OSV record tests: ${OSV} is absent`);
const record = (id: string): unknown => JSON.parse(readFileSync(join(OSV, `${id}.json`), 'utf8'));
const normalise = (id: string) => normaliseOsvRecord(record(id), 'osv-db', id);
const affects = (range: string, version: string) => semver.satisfies(version, range, { includePrerelease: true, loose: true });

describe('OSV events as semver ranges', () => {
  it('converts introduced/fixed, last_affected, open intervals and introduced 0 exactly', () => {
    expect(osvEventsToRange([{ introduced: '0' }, { fixed: '1.2.3' }])).toBe('<1.2.3');
    expect(osvEventsToRange([{ introduced: '1.0.0' }, { fixed: '1.2.6' }])).toBe('>=1.0.0 <1.2.6');
    expect(osvEventsToRange([{ introduced: '0' }, { last_affected: '1.1.8' }])).toBe('<=1.1.8');
    expect(osvEventsToRange([{ introduced: '2.0.0' }])).toBe('>=2.0.0');
    expect(osvEventsToRange([{ introduced: '0' }])).toBe('*');
    // Several intervals in one range, listed out of order: sorted first, as the OSV schema says.
    expect(osvEventsToRange([{ introduced: '3.0.0' }, { fixed: '3.2.2' }, { introduced: '2.0.0' }, { fixed: '2.6.4' }])).toBe('>=2.0.0 <2.6.4 || >=3.0.0 <3.2.2');
    expect(osvEventsToRange([{ fixed: '1.0.0' }])).toBe('<0.0.0-0');
    expect(osvEventsToRange([{ introduced: 'a1b2c3' }, { fixed: '1.0.0' }])).toBeNull();
  });

  it('treats prerelease bounds with prerelease-aware comparison', () => {
    const range = osvEventsToRange([{ introduced: '5.0.0-alpha.1' }, { fixed: '5.0.0-beta.3' }])!;
    expect(range).toBe('>=5.0.0-alpha.1 <5.0.0-beta.3');
    expect(affects(range, '5.0.0-alpha.8')).toBe(true);
    expect(affects(range, '5.0.0-beta.3')).toBe(false);
    expect(affects('<1.2.3', '1.2.3-rc.1')).toBe(true);
  });
});

describe.skipIf(!shared)('real OSV records (shared/data/advisories/osv)', () => {
  it('joins two entries for one package (express: two release lines), keeps only npm entries', () => {
    const { advisories } = normalise('GHSA-qw6h-vgh9-j6wx');
    expect(advisories).toHaveLength(1);
    expect(advisories[0]).toMatchObject({ id: 'GHSA-qw6h-vgh9-j6wx', package: 'express', range: '<4.20.0 || >=5.0.0-alpha.1 <5.0.0', patched: ['4.20.0', '5.0.0'] });
    expect(affects(advisories[0]!.range, '5.0.0-beta.1')).toBe(true);
    expect(affects(advisories[0]!.range, '4.21.0')).toBe(false);
    // moment: a NuGet entry besides the npm one.
    expect(normalise('GHSA-wc69-rhjr-hc9g').advisories.map((a) => a.package)).toEqual(['moment']);
  });

  it('last_affected gives no patched version; an empty severity list falls back to GitHub\'s rating', () => {
    expect(normalise('GHSA-78xj-cgh5-2h22').advisories[0]).toMatchObject({ package: 'ip', range: '<=1.1.8', patched: [], severity: 'high', cvss: null, aliases: ['CVE-2023-42282'] });
    expect(normalise('GHSA-pxg6-pf52-xh8x').advisories[0]).toMatchObject({ package: 'cookie', range: '<0.7.0', severity: 'low' });
  });

  it('reads MAL records (explicit versions) as malicious and critical', () => {
    const { advisories } = normalise('MAL-2023-462');
    expect(advisories[0]).toMatchObject({ id: 'MAL-2023-462', package: 'fsevents', range: '>=1.0.0 <1.2.11', malicious: true, severity: 'critical', aliases: ['GHSA-xv2f-5jw4-v95m'] });
    const versioned = normalise('MAL-2025-46966').advisories[0]!;
    expect(versioned.malicious).toBe(true);
    expect(versioned.range).toMatch(/^\d+\.\d+\.\d+( \|\| \d+\.\d+\.\d+)*$/);
  });

  it('keeps the record\'s "Axios" spelling, and matches it to the lower-case package only as a fallback', () => {
    const [axios] = normalise('GHSA-8hc4-vh64-cxmj').advisories;
    expect(axios!.package).toBe('Axios');
    expect(advisoriesFor([axios!], new Map([['axios', new Set(['1.6.0'])]]))).toEqual([{ ...axios, package: 'axios' }]);
    expect(advisoriesFor([axios!], new Map([['left-pad', new Set(['1.3.0'])]]))).toEqual([]);
  });

  it('normalises all 186 records without a problem, every range valid node-semver', () => {
    const source = new OsvDatabaseSource(OSV);
    return source.advisories(new Map([['lodash', new Set(['4.17.20'])], ['minimist', new Set(['1.2.0'])]])).then(({ advisories, skipped }) => {
      expect(skipped).toEqual([]);
      expect(advisories.map((a) => a.package).sort()).toEqual(expect.arrayContaining(['lodash', 'minimist']));
      for (const advisory of advisories) expect(semver.validRange(advisory.range, { loose: true }), advisory.id).not.toBeNull();
    });
  });
});

describe('records and entries', () => {
  it('ignores withdrawn records', () => {
    const withdrawn = JSON.parse(readFileSync(join(REPO, 'fixtures/advisories/osv/GHSA-2222-3333-4444.json'), 'utf8'));
    expect(normaliseOsvRecord(withdrawn, 'osv-db', 'x')).toEqual({ advisories: [], problems: [] });
    expect(normaliseOsvRecord({ ...withdrawn, withdrawn: undefined }, 'osv-db', 'x').advisories).toHaveLength(1);
  });

  it('reports a record without an id, and a range that is not semver', () => {
    expect(normaliseOsvRecord({ summary: 'x' }, 'osv', 'where').problems).toEqual(['where: not an OSV record (no "id")']);
    const bad = normaliseOsvRecord({ id: 'GHSA-x', affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: 'abc' }] }] }] }, 'osv', 'where');
    expect(bad.advisories).toEqual([]);
    expect(bad.problems[0]).toContain('is not made of semver versions');
  });

  it('scores CVSS v3 vectors when a record gives no qualitative severity', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L')).toBe(5.6);
    expect(cvss3BaseScore('CVSS:3.0/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N')).toBe(6.4);
    expect(cvss3BaseScore('CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N')).toBeNull();
    expect([0, 3.1, 5.6, 7.5, 9.8].map(severityOfScore)).toEqual(['info', 'low', 'moderate', 'high', 'critical']);
    const scored = normaliseOsvRecord({ id: 'OSV-1', severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N' }], affected: [{ package: { ecosystem: 'npm', name: 'a' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '2.0.0' }] }] }] }, 'osv', 'x');
    expect(scored.advisories[0]).toMatchObject({ severity: 'high', cvss: { score: 7.5 }, url: 'https://osv.dev/vulnerability/OSV-1' });
  });

  it('reads bulk entries: the GHSA from the URL is the id, npm\'s number an alias, no range means every version', () => {
    expect(bulkAdvisory('minimist', { id: 1179, url: 'https://npmjs.com/advisories/1179', title: 'Prototype Pollution', severity: 'low', vulnerable_versions: '<0.2.1' })).toMatchObject({ id: '1179', aliases: [], range: '<0.2.1', severity: 'low' });
    expect(bulkAdvisory('x', { id: 1097677, url: 'https://github.com/advisories/GHSA-XVCH-5gv4-984h', title: 'Malware in x', severity: 'weird' })).toMatchObject({ id: 'GHSA-xvch-5gv4-984h', aliases: ['1097677'], range: '*', severity: 'high', malicious: true });
    expect(bulkAdvisory('x', { title: 'no id' })).toBeNull();
  });

  it('reads a record\'s text only when it may name a queried package', () => {
    const names = new Set(['minimist', 'axios']);
    expect(mayConcern('{"affected":[{"package":{"name": "minimist"}}]}', names)).toBe(true);
    expect(mayConcern('{"affected":[{"package":{"name":"Axios"}}]}', names)).toBe(true);
    expect(mayConcern('{"affected":[{"package":{"name":"lodash"}}]}', names)).toBe(false);
    expect(mayConcern('{"affected":[{"package":{"name":"mini\\u006dist"}}]}', names)).toBe(true);
  });

  it('reads the same advisories from a folder and from a zip of it', async () => {
    const query = new Map([['minimist', new Set(['1.2.5'])], ['flatmap-stream', new Set(['0.1.1'])], ['left-pad', new Set(['1.3.0'])]]);
    const folder = await new OsvDatabaseSource(join(REPO, 'fixtures/advisories/osv')).advisories(query);
    const zip = await new OsvDatabaseSource(join(REPO, 'fixtures/advisories/osv-export/npm-all.zip')).advisories(query);
    const key = (a: { id: string; package: string; range: string }) => `${a.package} ${a.id} ${a.range}`;
    expect(zip.advisories.map(key).sort()).toEqual(folder.advisories.map(key).sort());
    expect(folder.advisories.map(key).sort()).toEqual([
      'flatmap-stream GHSA-mh6f-8j2x-4483 *',
      'minimist GHSA-vh95-rmgr-6w4m <0.2.1 || >=1.0.0 <1.2.3',
      'minimist GHSA-xvch-5gv4-984h <0.2.4 || >=1.0.0 <1.2.6',
    ]);
  });
});
