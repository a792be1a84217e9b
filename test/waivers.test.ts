import { describe, expect, it } from 'vitest';
import type { Waiver } from '../src/policy/load.js';
import { applyWaivers, parsePackageSelector, pathMatches, pathTarget, waiverMatches } from '../src/policy/waivers.js';
import type { Finding } from '../src/model.js';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    check: 'lockfile',
    rule: 'lockfile/foreign-host',
    severity: 'high',
    package: { name: 'left-pad', version: '1.3.0', location: 'node_modules/left-pad' },
    paths: [['app-utils@2.0.0', 'left-pad@1.3.0']],
    message: 'm',
    evidence: {},
    ...over,
  };
}

function waiver(over: Partial<Waiver> = {}): Waiver {
  return { id: 'lockfile/foreign-host', reason: 'vendored mirror', expires: '2027-01-31', origin: 'depguard.config.json: /waivers/0', ...over };
}

describe('waivers', () => {
  it('parses package selectors with scopes and ranges', () => {
    expect(parsePackageSelector('@scope/pkg@^1.2.0')).toEqual({ name: '@scope/pkg', range: '^1.2.0' });
    expect(parsePackageSelector('@scope/pkg')).toEqual({ name: '@scope/pkg', range: null });
    expect(parsePackageSelector('left-pad@1.x')).toEqual({ name: 'left-pad', range: '1.x' });
  });

  it('matches by rule id or check id, narrowed by package name and range', () => {
    expect(waiverMatches(waiver(), finding())).toBe(true);
    expect(waiverMatches(waiver({ id: 'lockfile' }), finding())).toBe(true);
    expect(waiverMatches(waiver({ id: 'lockfile/insecure-protocol' }), finding())).toBe(false);
    expect(waiverMatches(waiver({ package: 'left-pad@^1.3.0' }), finding())).toBe(true);
    expect(waiverMatches(waiver({ package: 'left-pad@^2.0.0' }), finding())).toBe(false);
    expect(waiverMatches(waiver({ package: 'left' }), finding())).toBe(false);
    expect(waiverMatches(waiver({ package: 'left-pad' }), finding({ package: null }))).toBe(false);
  });

  it('matches advisory ids and aliases case-insensitively', () => {
    const advisory = { id: 'GHSA-29mw-wpgm-hmr9', aliases: ['CVE-2020-28500'], url: null, title: 't', range: '<4.17.21', source: 'osv' };
    expect(waiverMatches(waiver({ id: 'cve-2020-28500' }), finding({ check: 'advisories', rule: 'advisories/vulnerable', advisory }))).toBe(true);
  });

  it('matches dependency paths audit-ci style (names joined by >, * for any run)', () => {
    expect(waiverMatches(waiver({ path: 'app-utils>left-pad' }), finding())).toBe(true);
    expect(waiverMatches(waiver({ path: 'app-utils>*' }), finding())).toBe(true);
    expect(waiverMatches(waiver({ path: '*>left-pad' }), finding())).toBe(true);
    expect(waiverMatches(waiver({ path: 'other>*' }), finding())).toBe(false);
    expect(waiverMatches(waiver({ path: 'app-utils>left-pad' }), finding({ paths: [['@scope/a@1.0.0', 'left-pad@1.3.0']] }))).toBe(false);
  });

  it('marks waived findings, reports expired waivers and unused ones', () => {
    const findings = [finding(), finding({ rule: 'lockfile/insecure-protocol' })];
    const about = applyWaivers(findings, [waiver(), waiver({ id: 'lockfile/insecure-protocol', expires: '2026-11-26' }), waiver({ id: 'pinning/range' })], '2026-11-27');
    expect(findings[0]!.waived).toMatchObject({ id: 'lockfile/foreign-host', reason: 'vendored mirror' });
    expect(findings[1]!.waived).toBeUndefined();
    expect(about.map((f) => [f.rule, (f.evidence.waiver as { id: string }).id])).toEqual([
      ['waivers/expired', 'lockfile/insecure-protocol'],
      ['waivers/unused', 'pinning/range'],
    ]);
  });

  it('keeps a waiver that expires today', () => {
    const findings = [finding()];
    applyWaivers(findings, [waiver({ expires: '2026-11-27' })], '2026-11-27');
    expect(findings[0]!.waived).toBeDefined();
  });

  it('does not call a waiver unused when its check did not run', () => {
    const about = applyWaivers([], [waiver({ id: 'pinning/range' })], '2026-11-27', () => false);
    expect(about).toEqual([]);
  });
});

describe('path patterns', () => {
  it('a chain ends at the finding\'s package: a plain last step names the only package a pattern can match', () => {
    expect([pathTarget('*>debug'), pathTarget('express>debug'), pathTarget('debug'), pathTarget('express>*'), pathTarget('*bug')]).toEqual(['debug', 'debug', 'debug', null, null]);
    // What pathTarget promises: a pattern whose last step is a plain name never matches a chain ending elsewhere.
    expect(pathMatches('*>debug', [['express@4.17.1', 'debug@2.6.9']])).toBe(true);
    expect(pathMatches('*>debug', [['debug@2.6.9', 'ms@2.0.0']])).toBe(false);
    expect(pathMatches('*bug', [['express@4.17.1', 'debug@2.6.9']])).toBe(true);
  });
});
