// The advisory flags through the real CLI (bin/depguard.js, offline, an empty
// cache): --advisory-source, --audit-registry, --advisories and `db update`.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { depguard } from '../helpers/cli.js';
import { fixture, REPO } from '../helpers/project.js';

const APP = fixture('advisories-app');
const OSV = join(REPO, 'fixtures/advisories/osv');

describe('depguard check with advisories', () => {
  it('documents the advisory flags', () => {
    const help = depguard(['check', '--help']).stdout;
    for (const flag of ['--advisory-source', '--audit-registry', '--advisories']) expect(help).toContain(flag);
  });

  it('--advisory-source <folder> turns the check on and audits offline', () => {
    const result = depguard(['check', APP, '--only', 'advisories', '--advisory-source', OSV, '--format', 'json']);
    expect(result.code).toBe(1);
    const doc = JSON.parse(result.stdout);
    const rules = new Set(doc.findings.map((f: { rule: string }) => f.rule));
    expect(rules).toEqual(new Set(['advisories/vulnerable', 'advisories/malicious', 'advisories/metavulnerability']));
    expect(doc.findings.find((f: { rule: string }) => f.rule === 'advisories/malicious')).toMatchObject({ severity: 'critical', advisory: { id: 'GHSA-mh6f-8j2x-4483', source: 'osv-db' } });
    expect(doc.checks.advisories).toMatchObject({ checked: true, source: OSV });
    // Offline with an empty cache: no packuments, said once per package.
    expect(doc.diagnostics.some((d: { code: string }) => d.code === 'ADVISORY_PACKUMENT_MISSING')).toBe(true);
  });

  it('fails closed (exit 2, naming the source) when the source cannot be asked, unless --advisories optional', () => {
    const closed = depguard(['check', APP, '--only', 'advisories', '--advisory-source', 'npm']);
    expect(closed.code).toBe(2);
    expect(closed.stdout).toBe('');
    expect(closed.stderr).toContain('depguard: advisory source npm (https://registry.example.org/): it needs the network and this run is offline');
    expect(closed.stderr).toContain('hint: run `depguard db update`');
    expect(closed.stderr).not.toMatch(/\n\s+at /);
    const missing = depguard(['check', APP, '--advisory-source', join(REPO, 'fixtures/advisories/none')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist');
    const optional = depguard(['check', APP, '--only', 'advisories', '--advisory-source', 'npm', '--advisories', 'optional', '--format', 'json']);
    expect(optional.code).toBe(0);
    const doc = JSON.parse(optional.stdout);
    expect(doc.checks.advisories).toMatchObject({ checked: false });
    expect(doc.diagnostics).toEqual([expect.objectContaining({ code: 'ADVISORIES_NOT_CHECKED', level: 'error' })]);
  });

  it('rejects an --audit-registry that is not a URL', () => {
    const result = depguard(['check', APP, '--audit-registry', 'registry.example.org']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--audit-registry: "registry.example.org" is not an http(s) URL');
  });
});

describe('depguard db update', () => {
  it('exits 2 naming the export when it cannot be downloaded (offline here)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'depguard-db-'));
    const result = depguard(['db', 'update', '--dir', dir, '--url', 'https://osv.example.org/npm/all.zip']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`depguard: could not update the advisory database in ${dir}`);
    expect(result.stderr).toContain('https://osv.example.org/npm/all.zip');
    expect(result.stdout).toBe('');
  });
});
