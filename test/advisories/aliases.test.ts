// One advisory per incident: records of one package that name each other as
// aliases are merged (GHSA id kept, ranges united, malicious if either says
// so); records that only share a CVE, or concern other packages, are not.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeAliasedAdvisories } from '../../src/enrich/advisories/aliases.js';
import { createAdvisorySource } from '../../src/enrich/advisories/source.js';
import { normaliseOsvRecord } from '../../src/enrich/advisories/osv-record.js';
import type { Advisory } from '../../src/enrich/advisories/types.js';
import { SHARED_DATA } from '../helpers/project.js';

function advisory(id: string, fields: Partial<Advisory> = {}): Advisory {
  return { id, aliases: [], package: 'pkg', title: id, url: null, severity: 'high', cvss: null, cwe: [], range: '<1.0.1', patched: ['1.0.1'], malicious: false, origin: 'osv-db', ...fields };
}

describe('mergeAliasedAdvisories', () => {
  it('merges a GHSA record and the MAL record that name each other, keeping the GHSA id', () => {
    const ghsa = advisory('GHSA-aaaa-bbbb-cccc', { aliases: ['CVE-2025-1', 'MAL-2025-9'], cwe: ['CWE-506'], range: '=4.4.2', patched: [] });
    const mal = advisory('MAL-2025-9', { aliases: ['CVE-2025-1', 'GHSA-aaaa-bbbb-cccc'], malicious: true, severity: 'critical', range: '=4.4.2', patched: [] });
    const other = advisory('GHSA-dddd-eeee-ffff', { package: 'other' });
    const merged = mergeAliasedAdvisories([mal, other, ghsa]);
    expect(merged.map((a) => a.id)).toEqual(['GHSA-aaaa-bbbb-cccc', 'GHSA-dddd-eeee-ffff']);
    expect(merged[0]).toMatchObject({ aliases: ['CVE-2025-1', 'MAL-2025-9'], malicious: true, range: '=4.4.2', cwe: ['CWE-506'] });
  });

  it('unites differing ranges and patched versions of one incident', () => {
    const merged = mergeAliasedAdvisories([advisory('GHSA-a', { range: '<1.2.5', patched: ['1.2.5'] }), advisory('PYSEC-1', { aliases: ['GHSA-a'], range: '>=2.0.0 <2.1.3', patched: ['2.1.3'] })]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ id: 'GHSA-a', range: '<1.2.5 || >=2.0.0 <2.1.3', patched: ['1.2.5', '2.1.3'], aliases: ['PYSEC-1'] });
  });

  it('keeps records apart that share only a CVE, or that concern different packages', () => {
    const sharedCve = [advisory('GHSA-a', { aliases: ['CVE-1'] }), advisory('GHSA-b', { aliases: ['CVE-1'] })];
    expect(mergeAliasedAdvisories(sharedCve).map((a) => a.id)).toEqual(['GHSA-a', 'GHSA-b']);
    const twoPackages = [advisory('GHSA-a'), advisory('MAL-1', { package: 'other', aliases: ['GHSA-a'] })];
    expect(mergeAliasedAdvisories(twoPackages)).toHaveLength(2);
  });
});

const OSV = join(SHARED_DATA, 'advisories/osv');
const present = existsSync(join(OSV, 'MAL-2025-46974.json')) && existsSync(join(OSV, 'GHSA-4x49-vf9v-38px.json'));
if (!present) console.warn(`skipping the real alias pair: ${OSV} lacks MAL-2025-46974 or GHSA-4x49-vf9v-38px (shared data not laid beside the clone)`);

describe.skipIf(!present)('mergeAliasedAdvisories on real records', () => {
  it('makes one advisory of GitHub\'s and OpenSSF\'s records of the debug@4.4.2 compromise', () => {
    const read = (file: string) => normaliseOsvRecord(JSON.parse(readFileSync(join(OSV, file), 'utf8')), 'osv-db', file).advisories.filter((a) => a.package === 'debug');
    const merged = mergeAliasedAdvisories([...read('MAL-2025-46974.json'), ...read('GHSA-4x49-vf9v-38px.json')]);
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ id: 'GHSA-4x49-vf9v-38px', malicious: true });
    expect(merged[0]!.aliases).toEqual(expect.arrayContaining(['MAL-2025-46974', 'CVE-2025-59144']));
  });
});

describe.skipIf(!present)('an OSV folder source', () => {
  it('answers one advisory for the debug@4.4.2 compromise', async () => {
    const source = createAdvisorySource({ source: OSV, base: '/', registry: 'https://registry.example.org/', auditRegistry: null, osvApi: 'http://127.0.0.1:9/', cache: null, offline: true });
    const { advisories } = await source.advisories(new Map([['debug', new Set(['4.4.2'])]]));
    const hitting = advisories.filter((a) => a.package === 'debug' && a.range.includes('4.4.2'));
    expect(hitting.map((a) => a.id)).toEqual(['GHSA-4x49-vf9v-38px']);
  });
});
