// The lockfile check on yarn.lock: each rule fires on the yarn field it
// reads (classic `resolved` and `integrity`, the `#<sha1>` of old entries,
// berry `resolution` and `checksum`, git commits, descriptors against
// package.json, entries nothing reaches) and stays quiet on the clean service
// yarn itself resolved (fixtures/projects/pm-service-yarn, -yarn-berry).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/load/load.js';
import type { Finding } from '../../src/model.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY, runCheck } from '../helpers/run.js';

const SHA512 = `sha512-${'A'.repeat(86)}==`;
const COMMIT = '0123456789abcdef0123456789abcdef01234567';
const HEX = 'c'.repeat(128);

async function lockfileFindings(dir: string): Promise<Finding[]> {
  const { graph } = await loadProject(dir);
  return runCheck('lockfile', graph, { registries: EXAMPLE_REGISTRY });
}

function summary(findings: Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.package ? `${f.package.name}@${f.package.version}` : '-'}${f.evidence.reason ? ` (${String(f.evidence.reason)})` : ''}`).sort();
}

describe('lockfile check on yarn.lock', () => {
  it.each(['pm-service-yarn', 'pm-service-yarn-berry'])('%s, as yarn wrote it: only the alias is shown', async (name) => {
    expect(summary(await lockfileFindings(fixture(name)))).toEqual(['lockfile/alias ms@0.7.0']);
  });

  it('classic: foreign and http hosts, no integrity, a sha1-only entry, an unpinned and a pinned git archive, an entry nothing reaches', async () => {
    const dir = tempProject({
      'package.json': { name: 'tampered', version: '1.0.0', dependencies: { ms: '^2.1.0', evil: '^1.0.0', plain: '1.0.0', old: '1.0.0', gitdep: 'owner/gitdep#main', pinned: 'owner/pinned#v1' } },
      'yarn.lock': `# yarn lockfile v1\n\nms@^2.1.0:\n  version "2.1.3"\n  resolved "https://registry.example.org/ms/-/ms-2.1.3.tgz"\n  integrity ${SHA512}\n\nevil@^1.0.0:\n  version "1.0.0"\n  resolved "https://evil.example.com/evil/-/evil-1.0.0.tgz"\n  integrity ${SHA512}\n\nplain@1.0.0:\n  version "1.0.0"\n  resolved "http://registry.example.org/plain/-/plain-1.0.0.tgz"\n\nold@1.0.0:\n  version "1.0.0"\n  resolved "https://registry.example.org/old/-/old-1.0.0.tgz#${COMMIT}"\n\ngitdep@owner/gitdep#main:\n  version "1.0.0"\n  resolved "https://github.com/owner/gitdep.git"\n\npinned@owner/pinned#v1:\n  version "1.0.0"\n  resolved "https://codeload.github.com/owner/pinned/tar.gz/${COMMIT}"\n\norphan@^1.0.0:\n  version "1.0.0"\n  resolved "https://registry.example.org/orphan/-/orphan-1.0.0.tgz"\n  integrity ${SHA512}\n`,
    });
    const findings = await lockfileFindings(dir);
    expect(summary(findings)).toEqual([
      'lockfile/foreign-host evil@1.0.0',
      // github.com and codeload.github.com are hosts like any other unless allowedHosts names them.
      'lockfile/foreign-host gitdep@1.0.0',
      'lockfile/foreign-host pinned@1.0.0',
      'lockfile/git-unpinned gitdep@1.0.0',
      'lockfile/insecure-protocol plain@1.0.0',
      'lockfile/missing-integrity plain@1.0.0',
      'lockfile/unreachable orphan@1.0.0',
      'lockfile/weak-integrity old@1.0.0',
    ]);
    // The `#<sha1>` of an old entry is the hash yarn verifies: weak, not missing.
    expect(findings.find((f) => f.rule === 'lockfile/weak-integrity')!.evidence).toMatchObject({ algorithm: 'sha1' });
  });

  it('berry: a well-formed checksum (with its cacheKey) is the hash yarn checks; a malformed one is invalid; a registry package without one has none', async () => {
    const entry = (name: string, extra: string) => `"${name}@npm:1.0.0":\n  version: 1.0.0\n  resolution: "${name}@npm:1.0.0"\n${extra}  languageName: node\n  linkType: hard\n\n`;
    const dir = tempProject({
      'package.json': { name: 'app', version: '1.0.0', dependencies: { good: '1.0.0', bare: '1.0.0', broken: '1.0.0', none: '1.0.0' } },
      'yarn.lock': `__metadata:\n  version: 6\n  cacheKey: 8\n\n${entry('good', `  checksum: 10c0/${HEX}\n`)}${entry('bare', `  checksum: ${HEX}\n`)}${entry('broken', '  checksum: 10c0/not-a-hash\n')}${entry('none', '')}"app@workspace:.":\n  version: 0.0.0-use.local\n  resolution: "app@workspace:."\n  dependencies:\n    bare: "npm:1.0.0"\n    broken: "npm:1.0.0"\n    good: "npm:1.0.0"\n    none: "npm:1.0.0"\n  languageName: unknown\n  linkType: soft\n`,
    });
    const findings = await lockfileFindings(dir);
    expect(summary(findings)).toEqual(['lockfile/invalid-integrity broken@1.0.0', 'lockfile/missing-integrity none@1.0.0']);
    expect(findings.find((f) => f.rule === 'lockfile/invalid-integrity')!.evidence).toEqual({ integrity: '10c0/not-a-hash', checksum: true });
  });

  it('out of sync as yarn --frozen-lockfile / --immutable sees it: a descriptor with no entry, a dependency with none at all, a berry workspace entry that records one package.json dropped', async () => {
    const classicDir = tempProject({ 'package.json': { ...JSON.parse(readFileSync(join(fixture('pm-service-yarn'), 'package.json'), 'utf8')), dependencies: { ...JSON.parse(readFileSync(join(fixture('pm-service-yarn'), 'package.json'), 'utf8')).dependencies, debug: '^4.4.0', added: '^1.0.0' } } }, fixture('pm-service-yarn'));
    const classic = await lockfileFindings(classicDir);
    expect(summary(classic)).toEqual(['lockfile/alias ms@0.7.0', 'lockfile/out-of-sync - (missing)', 'lockfile/out-of-sync debug@4.4.3 (descriptor)']);
    expect(classic.find((f) => f.evidence.reason === 'descriptor')!.message).toContain('has no entry for the descriptor debug@^4.4.0');

    const manifest = JSON.parse(readFileSync(join(fixture('pm-service-yarn-berry'), 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const { lodash: _dropped, ...kept } = manifest.dependencies;
    const berryDir = tempProject({ 'package.json': { ...manifest, dependencies: kept } }, fixture('pm-service-yarn-berry'));
    const berry = await lockfileFindings(berryDir);
    expect(summary(berry)).toEqual(['lockfile/alias ms@0.7.0', 'lockfile/out-of-sync lodash@4.17.20 (undeclared)', 'lockfile/unreachable lodash@4.17.20']);
    expect(berry.find((f) => f.evidence.reason === 'undeclared')!.evidence).toMatchObject({ dependency: 'lodash', lockedSpec: 'npm:4.17.20' });
  });
});
