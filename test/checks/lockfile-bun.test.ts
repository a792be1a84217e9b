// The lockfile check on bun.lock: each rule fires on the bun field it reads
// (the npm tuple's registry URL and integrity, tarball URLs, git commits, the
// `workspaces` block against package.json, `catalog`, `overrides`) and stays
// quiet on the clean service bun itself resolved (fixtures/projects/pm-service-bun).
// Out of sync means what `bun install --frozen-lockfile` refuses: a
// dependency added or removed, a spec the locked version no longer satisfies
// (bun accepts a changed spec that still holds), a catalog entry or an
// override that differs; bun 1.4.5 refuses bun-lockfile-stale itself.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import type { Finding } from '../../src/model.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';

async function lockfileFindings(dir: string): Promise<Finding[]> {
  const { graph } = await loadProject(dir);
  return runCheck('lockfile', graph, { registries: EXAMPLE_REGISTRY });
}

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.package ? `${f.package.name}@${f.package.version}` : '-'}${f.evidence.reason ? ` (${String(f.evidence.reason)})` : ''}`).sort();
}

describe('lockfile on bun.lock', () => {
  it('the clean service bun resolved: only the npm: alias it declares', async () => {
    expect(summary(await lockfileFindings(fixture('pm-service-bun')))).toEqual(['lockfile/alias ms@0.7.0']);
  });

  it('a hand-edited bun.lock: foreign host, http, missing and weak integrity, a URL naming another package, an entry nothing needs', async () => {
    const findings = await lockfileFindings(fixture('bun-lockfile-tampered'));
    expect(summary(findings)).toEqual([
      'lockfile/alias ms@0.7.0',
      'lockfile/foreign-host lodash@4.17.20',
      'lockfile/insecure-protocol minimist@1.2.5',
      'lockfile/missing-integrity kleur@4.1.5',
      'lockfile/name-mismatch scheduler@0.23.2 (name)',
      'lockfile/unreachable left-pad@1.3.0',
      'lockfile/weak-integrity js-tokens@4.0.0',
    ]);
    // The tuple's registry field is the URL bun fetches; SARIF points at the packages key's line.
    expect(findings.find((f) => f.rule === 'lockfile/foreign-host')!.evidence).toMatchObject({ resolved: 'https://evil.example.com/lodash/-/lodash-4.17.20.tgz', host: 'evil.example.com' });
  });

  it('package.json edited after bun.lock was written: each change bun --frozen-lockfile refuses', async () => {
    const findings = await lockfileFindings(fixture('bun-lockfile-stale'));
    expect(summary(findings)).toEqual([
      'lockfile/alias ms@0.7.0',
      'lockfile/out-of-sync - (catalog)',
      'lockfile/out-of-sync - (missing)',
      'lockfile/out-of-sync - (overrides)',
      'lockfile/out-of-sync debug@4.4.3 (unsatisfied)',
      'lockfile/out-of-sync lodash@4.17.20 (undeclared)',
      'lockfile/unreachable lodash@4.17.20',
    ]);
    const bySpec = (reason: string) => findings.find((f) => f.evidence.reason === reason)!;
    expect(bySpec('unsatisfied').evidence).toMatchObject({ dependency: 'debug', declared: '^3.0.0', locked: '4.4.3', lockedSpec: '^4.3.4' });
    expect(bySpec('catalog').evidence).toMatchObject({ dependency: 'semver', declared: '^7.6.0', lockedSpec: '^7.5.0', file: 'package.json' });
    expect(bySpec('overrides').message).toContain('package.json (overrides, resolutions)');
    expect(bySpec('missing').message).toContain('bun install');
  });

  it('a changed spec the locked version still satisfies is in sync, as bun accepts it', async () => {
    const manifest = JSON.parse(readFileSync(fixture('pm-service-bun/package.json'), 'utf8')) as { dependencies: Record<string, string> };
    manifest.dependencies.debug = '^4.4.0';
    const findings = await lockfileFindings(tempProject({ 'package.json': manifest }, fixture('pm-service-bun')));
    expect(summary(findings)).toEqual(['lockfile/alias ms@0.7.0']);
  });

  it("git: bun's github ident carries a short commit (not pinned to a full one); git+ with a full commit is pinned", async () => {
    const full = '1ae6dc1267500360b411ec711b8aeac8c68b2246';
    const dir = tempProject({
      'package.json': { name: 'gits', version: '1.0.0', dependencies: { short: 'github:owner/short', pinned: `git+https://git.example.org/owner/pinned.git#${full}` } },
      'bun.lock': `{
        "lockfileVersion": 1,
        "workspaces": { "": { "name": "gits", "dependencies": { "short": "github:owner/short", "pinned": "git+https://git.example.org/owner/pinned.git#${full}" } } },
        "packages": {
          "short": ["short@github:owner/short#527e8ce", {}, "owner-short-527e8ce"],
          "pinned": ["pinned@git+https://git.example.org/owner/pinned.git#${full}", {}, "${full}"],
        },
      }`,
    });
    expect(summary(await lockfileFindings(dir))).toEqual([
      'lockfile/foreign-host pinned@',
      'lockfile/foreign-host short@',
      'lockfile/git-unpinned short@',
    ]);
  });
});
