// A finding's identity across base and head: what makes a finding new or
// resolved, and what must not (message text, dependency paths, locations).
import { describe, expect, it } from 'vitest';
import { diffFindings, findingKey, IDENTITY } from '../../src/checks/identity.js';
import { CHECKS } from '../../src/checks/index.js';
import { finding } from './helpers.js';

const esbuild = (version: string, location = 'node_modules/esbuild') => ({ name: 'esbuild', version, location });

describe('findingKey', () => {
  it('ignores message text, dependency paths and the package location', () => {
    const base = finding({ rule: 'lockfile/foreign-host', package: { name: 'is-number', version: '7.0.0', location: 'node_modules/is-number' }, paths: [['a@1.0.0', 'is-number@7.0.0']], evidence: { resolved: 'http://evil.example.com/is-number-7.0.0.tgz', host: 'evil.example.com' } });
    const head = finding({
      rule: 'lockfile/foreign-host',
      package: { name: 'is-number', version: '7.0.1', location: 'node_modules/a/node_modules/is-number' },
      paths: [['b@2.0.0', 'a@1.0.0', 'is-number@7.0.1']],
      message: 'reworded',
      evidence: { resolved: 'http://evil.example.com/is-number-7.0.1.tgz', host: 'evil.example.com' },
    });
    expect(findingKey(head)).toBe(findingKey(base));
    // Another host is another finding.
    expect(findingKey({ ...head, evidence: { ...head.evidence, host: 'other.example.com' } })).not.toBe(findingKey(base));
  });

  it('keys install-scripts/unapproved on the version: a new version runs new install code', () => {
    const old = finding({ rule: 'install-scripts/unapproved', package: esbuild('0.27.0'), evidence: { name: 'esbuild', version: '0.27.0', source: 'registry', scriptsFrom: 'lockfile' } });
    const same = finding({ rule: 'install-scripts/unapproved', package: esbuild('0.27.0', 'node_modules/tsx/node_modules/esbuild'), evidence: { name: 'esbuild', version: '0.27.0', source: 'registry', scriptsFrom: 'installed' } });
    const upgraded = finding({ rule: 'install-scripts/unapproved', package: esbuild('0.28.2'), evidence: { name: 'esbuild', version: '0.28.2', source: 'registry' } });
    // Where the script text came from (node_modules in head, nothing in base) is not identity.
    expect(findingKey(same)).toBe(findingKey(old));
    expect(findingKey(upgraded)).not.toBe(findingKey(old));
  });

  it('keys pinning findings on the spec as written, not on the version it resolved to', () => {
    const base = finding({ rule: 'pinning/range', check: 'pinning', package: { name: 'zod', version: '4.6.6', location: 'node_modules/zod' }, evidence: { name: 'zod', dependencyType: 'dependencies', spec: '^4.6.0', file: 'package.json' } });
    expect(findingKey({ ...base, package: { name: 'zod', version: '4.6.7', location: 'node_modules/zod' } })).toBe(findingKey(base));
    expect(findingKey({ ...base, evidence: { ...base.evidence, spec: '^4.7.0' } })).not.toBe(findingKey(base));
    expect(findingKey({ ...base, evidence: { ...base.evidence, dependencyType: 'devDependencies' } })).not.toBe(findingKey(base));
  });

  it('keys engines findings on the source and release lines, not the line number in the file', () => {
    const base = finding({ rule: 'engines/end-of-life', evidence: { source: 'setup-node', file: '.github/workflows/ci.yml', value: '18', range: '18.x', line: 12, job: 'test', lines: [{ line: '18', codename: 'hydrogen', end: '2025-04-30' }] } });
    expect(findingKey({ ...base, evidence: { ...base.evidence, line: 40 } })).toBe(findingKey(base));
    expect(findingKey({ ...base, evidence: { ...base.evidence, lines: [{ line: '20', codename: 'iron', end: '2026-04-30' }] } })).not.toBe(findingKey(base));
  });

  it('keys advisory findings on the advisory id and package name, whatever the vulnerable version', () => {
    const advisory = { id: 'GHSA-xxxx-yyyy-zzzz', aliases: ['CVE-2026-0001'], url: 'https://github.com/advisories/GHSA-xxxx-yyyy-zzzz', title: 'Prototype pollution', range: '<4.17.21', source: 'osv' };
    const a = finding({ rule: 'advisories/vulnerable', package: { name: 'lodash', version: '4.17.19', location: 'node_modules/lodash' }, advisory, evidence: { version: '4.17.19', fixedIn: '4.17.21' } });
    const b = finding({ rule: 'advisories/vulnerable', package: { name: 'lodash', version: '4.17.20', location: 'node_modules/x/node_modules/lodash' }, advisory, evidence: { version: '4.17.20', fixedIn: '4.17.21' } });
    expect(findingKey(b)).toBe(findingKey(a));
    expect(findingKey({ ...b, advisory: { ...advisory, id: 'GHSA-aaaa-bbbb-cccc' } })).not.toBe(findingKey(a));
  });

  it('falls back to the scalar evidence without volatile fields for a rule it has no entry for', () => {
    const a = finding({ rule: 'future-check/thing', package: { name: 'x', version: '1.0.0', location: 'node_modules/x' }, evidence: { kind: 'network', version: '1.0.0', location: 'node_modules/x', line: 3, detail: { nested: true } } });
    const b = finding({ rule: 'future-check/thing', package: { name: 'x', version: '1.1.0', location: 'node_modules/y/node_modules/x' }, evidence: { kind: 'network', version: '1.1.0', location: 'node_modules/y/node_modules/x', line: 9, detail: { nested: false } } });
    expect(findingKey(b)).toBe(findingKey(a));
    expect(findingKey({ ...b, evidence: { ...b.evidence, kind: 'filesystem' } })).not.toBe(findingKey(a));
  });

  it('names only checks and rules that exist, so a renamed rule cannot silently fall back', () => {
    const known = new Set(['waivers', 'waivers/expired', 'waivers/unused']);
    for (const check of CHECKS) {
      known.add(check.meta.id);
      for (const rule of Object.keys(check.meta.rules)) known.add(`${check.meta.id}/${rule}`);
    }
    expect(Object.keys(IDENTITY).filter((key) => !known.has(key))).toEqual([]);
  });
});

describe('diffFindings', () => {
  it('splits findings into new (head only) and resolved (base only)', () => {
    const kept = finding({ rule: 'engines/eol-soon', severity: 'low', evidence: { source: 'engines.node', file: 'package.json', lines: [{ line: '22', daysLeft: 154 }] } });
    const fixed = finding({ rule: 'lockfile/insecure-protocol', package: { name: 'a', version: '1.0.0', location: 'node_modules/a' }, evidence: { resolved: 'http://x/a.tgz', protocol: 'http:' } });
    const added = finding({ rule: 'install-scripts/unapproved', package: esbuild('0.28.2'), evidence: { source: 'registry' } });
    const { newFindings, resolvedFindings } = diffFindings([kept, fixed], [{ ...kept, message: 'now in other words' }, added]);
    expect(newFindings.map((f) => f.rule)).toEqual(['install-scripts/unapproved']);
    expect(resolvedFindings.map((f) => f.rule)).toEqual(['lockfile/insecure-protocol']);
  });

  it('reports an advisory that head no longer has as resolved, in the check shape with its advisory', () => {
    const advisory = { id: 'GHSA-p6mc-m468-83gw', aliases: ['CVE-2020-8203'], url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw', title: 'Prototype Pollution in lodash', range: '<4.17.19', source: 'npm' };
    const vulnerable = finding({ rule: 'advisories/vulnerable', check: 'advisories', severity: 'high', package: { name: 'lodash', version: '4.17.15', location: 'node_modules/lodash' }, paths: [['lodash@4.17.15']], advisory, evidence: { range: '<4.17.19' } });
    const other = finding({ rule: 'advisories/vulnerable', check: 'advisories', severity: 'moderate', package: { name: 'lodash', version: '4.17.21', location: 'node_modules/lodash' }, advisory: { ...advisory, id: 'GHSA-29mw-wpgm-hmr9', aliases: ['CVE-2020-28500'], range: '<4.17.21' }, evidence: {} });
    // Base: 4.17.15 with one advisory. Head: upgraded to 4.17.21, which another advisory still names.
    const { newFindings, resolvedFindings } = diffFindings([vulnerable], [other]);
    expect(resolvedFindings).toEqual([vulnerable]);
    expect(resolvedFindings[0]!.advisory).toMatchObject({ id: 'GHSA-p6mc-m468-83gw', url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw' });
    expect(newFindings.map((f) => f.advisory?.id)).toEqual(['GHSA-29mw-wpgm-hmr9']);
  });
});
