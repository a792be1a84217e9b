// diff and the supply-chain signals: typosquat judges every package a change
// adds (transitive ones too), what the base already had is not new, and the
// PR comment lists the signals on new packages first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findingKey } from '../../src/checks/identity.js';
import { diff } from '../../src/commands/diff/run.js';
import { diffMarkdown } from '../../src/render/diff-markdown.js';
import { fixture, tempProject } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';
import { finding, tempDir } from './helpers.js';

const HEAD = fixture('typosquat-direct');

/** The same project before crossenv (and its babelcli) came in. */
function baseProject(): string {
  const manifest = JSON.parse(readFileSync(join(HEAD, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  delete manifest.dependencies.crossenv;
  const lock = JSON.parse(readFileSync(join(HEAD, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dependencies?: Record<string, string> }> };
  delete lock.packages['']!.dependencies!.crossenv;
  delete lock.packages['node_modules/crossenv'];
  delete lock.packages['node_modules/babelcli'];
  return tempProject({ 'package.json': manifest, 'package-lock.json': lock });
}

describe('diff: typosquats a change adds', () => {
  it('reports the added lookalikes, the transitive one included, and not those the base had', async () => {
    const base = baseProject();
    const { result } = await diff({ path: HEAD, base, cwd: HEAD, registries: EXAMPLE_REGISTRY, today: '2026-11-27', only: ['typosquat'], registryAccess: { mode: 'offline', cache: tempDir('depguard-diff-cache-') } });
    expect(result.diff.newFindings.map((f) => `${f.rule} ${f.package!.name}`)).toEqual(['typosquat/lookalike babelcli', 'typosquat/lookalike crossenv']);
    expect(result.diff.newFindings.find((f) => f.package!.name === 'babelcli')!.evidence).toMatchObject({ intended: 'babel-cli', direct: false });
    // 1odash and electorn were already in the base: judged on both sides, so not new.
    expect(result.findings.map((f) => f.package!.name).sort()).toEqual(['1odash', 'babelcli', 'crossenv', 'electorn']);

    const markdown = diffMarkdown(result, { failOn: 'high', color: false });
    const signals = markdown.indexOf('### Supply-chain signals on new packages (2)');
    expect(signals).toBeGreaterThan(0);
    // First among the sections, and not repeated under the other findings.
    expect(markdown.indexOf('###', signals + 3) === -1 || markdown.indexOf('New findings') === -1).toBe(true);
    expect(markdown.match(/crossenv@6\.1\.1/g)?.length).toBeGreaterThanOrEqual(1);
    expect(markdown).not.toContain('No new findings.');
  });
});

describe('diff: the identity of the signals\' findings', () => {
  const pkg = (version: string) => ({ name: 'event-stream', version, location: 'node_modules/event-stream' });

  it('publisher, signatures and manifest-confusion are about a version: an upgrade to a flagged release is new', () => {
    for (const rule of ['publisher/new-publisher', 'signatures/invalid', 'manifest-confusion/hidden-install-script']) {
      expect(findingKey(finding({ rule, package: pkg('3.3.5') }))).not.toBe(findingKey(finding({ rule, package: pkg('3.3.6') })));
    }
  });

  it('a lookalike name is the same finding whatever its version; vulnerable-runtime is one per source and line', () => {
    const lookalike = (version: string) => finding({ rule: 'typosquat/lookalike', package: pkg(version), evidence: { intended: 'event-streams', kind: 'edit', direct: true } });
    expect(findingKey(lookalike('1.0.0'))).toBe(findingKey(lookalike('1.0.1')));
    const runtime = (line: string) => finding({ rule: 'engines/vulnerable-runtime', evidence: { source: 'engines.node', file: 'package.json', line, cves: ['CVE-2099-10001'] } });
    expect(findingKey(runtime('22'))).not.toBe(findingKey(runtime('24')));
  });
});
