// license against a loopback registry: every rule on fixtures/projects/
// license-policy (a GPL-3.0-only production dependency under a deny list,
// `(MIT OR GPL-3.0-only)` with MIT allowed, an AND that cannot avoid GPL, a
// licence only the registry knows from an old `licenses` array, one only the
// tarball's package.json knows, none at all, `Apache 2.0` corrected,
// UNLICENSED, SEE LICENSE IN, free text, a dev-only GPL tool), where each
// fires and where it does not; then the pure parts (reading, judging).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import license from '../../src/checks/license/index.js';
import { alternatives, judgeLicense, licenseList, readLicense } from '../../src/checks/license/classify.js';
import { report } from '../../src/commands/report/run.js';
import { isDepguardError } from '../../src/errors.js';
import type { Finding } from '../../src/model.js';
import { presetPolicy } from '../../src/policy/load.js';
import { declaredLicense } from '../../src/util/declared-license.js';
import { fixture, tempProject } from '../helpers/project.js';
import { AUDIT_DATE, auditWith, emptyCache, summary } from '../helpers/registry-checks.js';
import { makeTarball, TestRegistry } from '../enrich/registry-server.js';

let server: TestRegistry;
const PROJECT = fixture('license-policy');

beforeAll(async () => {
  server = await new TestRegistry().start();
  // busboy@1.6.0's form: an array of { type, url }; npm records nothing in the lockfile for it.
  server.add('old-style', { versions: { '1.6.0': { licenseFields: { licenses: [{ type: 'MIT', url: 'https://github.com/mscdex/busboy/raw/master/LICENSE' }] } } } });
  // The registry's document says nothing; the package.json inside the tarball does.
  server.add('tarball-only', {
    versions: { '1.0.0': { licenseFields: {}, tarball: makeTarball({ 'package.json': JSON.stringify({ name: 'tarball-only', version: '1.0.0', license: { type: 'ISC', url: 'https://opensource.org/licenses/ISC' } }), 'index.js': '' }) } },
  });
  // Nothing anywhere: the default tarball's package.json has no licence either.
  server.add('no-license', { versions: { '0.3.1': { licenseFields: {} } } });
  // The rest record their licence in the lockfile: looked up only by the report's freshness of direct dependencies.
  for (const [name, version] of Object.entries({ 'gpl-lib': '1.0.0', 'dual-lib': '2.0.0', 'both-lib': '1.2.0', misspelled: '4.1.0', proprietary: '1.0.0', 'custom-lib': '3.0.0', 'public-domain': '1.0.0', 'isc-lib': '1.0.1', 'mit-lib': '2.3.0', 'dev-gpl': '5.0.0' })) {
    server.add(name, { versions: { [version]: {} } });
  }
});
afterAll(async () => {
  await server.stop();
});
afterEach(() => {
  server.requests.length = 0;
});

function withConfig(options: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return tempProject({ 'depguard.config.json': { checks: { license: ['on', options] }, ...extra } }, PROJECT);
}

const byPackage = (findings: Finding[], name: string) => findings.filter((finding) => finding.package?.name === name);

describe('license metadata', () => {
  it('has its rules, needs the registry for what the lockfile does not record, and is off by default', async () => {
    expect(Object.fromEntries(Object.entries(license.meta.rules).map(([rule, meta]) => [rule, meta.severity]))).toEqual({
      denied: 'high',
      'not-allowed': 'high',
      missing: 'moderate',
      unlicensed: 'moderate',
      custom: 'low',
      'not-spdx': 'low',
      unknown: 'low',
      corrected: 'info',
    });
    expect(license.meta.needs).toEqual(['registry']);
    expect((await presetPolicy('recommended')).checks.get('license')!.enabled).toBe(false);
  });
});

describe('license: license-policy', () => {
  it('deny: a GPL-3.0-only production dependency and an AND that needs it are denied; the OR choice is not', async () => {
    const { result } = await auditWith(server, withConfig({ deny: ['GPL-3.0-only'] }), ['license']);
    expect(summary(result.findings).sort()).toEqual([
      'license/corrected misspelled@4.1.0',
      'license/custom custom-lib@3.0.0',
      'license/denied both-lib@1.2.0',
      'license/denied gpl-lib@1.0.0',
      'license/missing no-license@0.3.1',
      'license/not-spdx public-domain@1.0.0',
      'license/unlicensed proprietary@1.0.0',
    ]);
    const [gpl] = byPackage(result.findings, 'gpl-lib');
    expect(gpl).toMatchObject({ severity: 'high', message: 'gpl-lib@1.0.0 is licensed GPL-3.0-only, which needs GPL-3.0-only: denied by the policy' });
    expect(gpl!.evidence).toEqual({ license: 'GPL-3.0-only', expression: 'GPL-3.0-only', source: 'lockfile', denied: ['GPL-3.0-only'] });
    expect(byPackage(result.findings, 'dual-lib')).toEqual([]);
    // Dev-only packages are not judged by default: not shipped.
    expect(byPackage(result.findings, 'dev-gpl')).toEqual([]);
    expect(result.diagnostics).toEqual([]);
  });

  it('allow: (MIT OR GPL-3.0-only) passes with MIT allowed; ISC and GPL are not allowed; the corrected Apache-2.0 is', async () => {
    const { result } = await auditWith(server, withConfig({ allow: ['MIT', 'Apache-2.0'] }), ['license']);
    const notAllowed = result.findings.filter((finding) => finding.rule === 'license/not-allowed');
    expect(summary(notAllowed).sort()).toEqual(['license/not-allowed both-lib@1.2.0', 'license/not-allowed gpl-lib@1.0.0', 'license/not-allowed isc-lib@1.0.1', 'license/not-allowed tarball-only@1.0.0']);
    expect(byPackage(result.findings, 'isc-lib')[0]).toMatchObject({ message: 'isc-lib@1.0.1 is licensed ISC; ISC is not in the allow list', evidence: { outside: ['ISC'] } });
    for (const accepted of ['dual-lib', 'mit-lib', 'old-style']) expect(byPackage(result.findings, accepted)).toEqual([]);
    expect(summary(byPackage(result.findings, 'misspelled'))).toEqual(['license/corrected misspelled@4.1.0']);
  });

  it('reads the older licenses array from the registry and a { type } licence from the tarball, when the lockfile records none', async () => {
    const { result } = await auditWith(server, withConfig({ allow: ['Apache-2.0'] }), ['license']);
    const entries = (result.checks!.license!.packages as Array<Record<string, unknown>>).filter((entry) => ['old-style', 'tarball-only', 'no-license', 'mit-lib'].includes(entry.name as string));
    expect(entries.map(({ name, declared, expression, status, source }) => ({ name, declared, expression, status, source }))).toEqual([
      { name: 'mit-lib', declared: 'MIT', expression: 'MIT', status: 'spdx', source: 'lockfile' },
      { name: 'no-license', declared: null, expression: null, status: 'missing', source: 'tarball' },
      { name: 'old-style', declared: 'MIT', expression: 'MIT', status: 'spdx', source: 'registry' },
      { name: 'tarball-only', declared: 'ISC', expression: 'ISC', status: 'spdx', source: 'tarball' },
    ]);
    expect(byPackage(result.findings, 'old-style')[0]!.evidence).toEqual({ license: 'MIT', expression: 'MIT', source: 'registry', outside: ['MIT'] });
    // Only the three packages the lockfile is silent about are asked about; the full document, then the tarball.
    expect(server.requests.map((request) => request.url).sort()).toEqual(['/no-license', '/no-license/-/no-license-0.3.1.tgz', '/old-style', '/tarball-only', '/tarball-only/-/tarball-only-1.0.0.tgz']);
  });

  it('says when a misspelled licence was corrected, and judges the correction; correct: false leaves it as free text', async () => {
    const { result } = await auditWith(server, withConfig({ deny: ['Apache-2.0'] }), ['license']);
    const misspelled = byPackage(result.findings, 'misspelled');
    expect(summary(misspelled)).toEqual(['license/denied misspelled@4.1.0', 'license/corrected misspelled@4.1.0']);
    expect(misspelled[1]).toMatchObject({ severity: 'info', message: 'misspelled@4.1.0 declares "Apache 2.0", read as Apache-2.0' });
    expect(misspelled[0]!.evidence).toMatchObject({ license: 'Apache 2.0', expression: 'Apache-2.0', corrected: { from: 'Apache 2.0', to: 'Apache-2.0' } });
    const strict = await auditWith(server, withConfig({ deny: ['Apache-2.0'], correct: false }), ['license']);
    expect(summary(byPackage(strict.result.findings, 'misspelled'))).toEqual(['license/not-spdx misspelled@4.1.0']);
  });

  it('dev: "low" judges dev-only packages at low severity, "on" like the rest; --omit dev drops them', async () => {
    const low = await auditWith(server, withConfig({ deny: ['GPL-3.0-only'], dev: 'low' }), ['license']);
    expect(byPackage(low.result.findings, 'dev-gpl')).toMatchObject([{ rule: 'license/denied', severity: 'low', evidence: { dev: true } }]);
    const on = await auditWith(server, withConfig({ deny: ['GPL-3.0-only'], dev: 'on' }), ['license']);
    expect(byPackage(on.result.findings, 'dev-gpl')).toMatchObject([{ rule: 'license/denied', severity: 'high' }]);
    const omitted = await auditWith(server, withConfig({ deny: ['GPL-3.0-only'], dev: 'on' }), ['license'], { config: { omit: ['dev'] } });
    expect(byPackage(omitted.result.findings, 'dev-gpl')).toEqual([]);
  });

  it('a per-package exception is a waiver with its reason and expiry; ignore skips names', async () => {
    const waiver = { id: 'license/denied', package: 'gpl-lib@1.0.0', reason: 'used only by the build, not shipped (LEGAL-12)', expires: '2027-03-31' };
    const { result } = await auditWith(server, withConfig({ deny: ['GPL-3.0-only'], ignore: ['proprietary', 'custom-*'] }, { waivers: [waiver] }), ['license']);
    expect(byPackage(result.findings, 'gpl-lib')[0]!.waived).toEqual(waiver);
    expect(byPackage(result.findings, 'proprietary')).toEqual([]);
    expect(byPackage(result.findings, 'custom-lib')).toEqual([]);
  });

  it('registry: false asks nothing, and reports what the lockfile does not record as unknown', async () => {
    const { result } = await auditWith(server, withConfig({ registry: false }), ['license']);
    expect(summary(result.findings.filter((finding) => finding.rule === 'license/unknown')).sort()).toEqual(['license/unknown no-license@0.3.1', 'license/unknown old-style@1.6.0', 'license/unknown tarball-only@1.0.0']);
    expect(byPackage(result.findings, 'old-style')[0]!.evidence).toEqual({ license: null, source: null, reason: 'the lockfile records none, and registry lookups are off' });
    expect(server.requests).toEqual([]);
  });

  it('fails closed when the registry cannot say (exit 2), and --allow-incomplete reports the licence as unknown', async () => {
    server.script('/old-style', [{ status: 500, body: 'down' }], true);
    try {
      const error = await auditWith(server, withConfig({}), ['license']).catch((e: unknown) => e);
      expect(isDepguardError(error) && (error as Error).message).toMatch(/old-style@1\.6\.0/);
      const { result } = await auditWith(server, withConfig({}), ['license'], { access: { allowIncomplete: true } });
      expect(summary(byPackage(result.findings, 'old-style'))).toEqual(['license/unknown old-style@1.6.0']);
    } finally {
      server.scripts.clear();
    }
  });

  it('a licence list entry that is not one SPDX licence is a config error naming it, with spdx-correct\'s guess', async () => {
    const error = await auditWith(server, withConfig({ allow: ['MIT', 'Apache 2.0'] }), ['license']).catch((e: unknown) => e);
    expect(isDepguardError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'EBAD_CONFIG', field: 'checks.license.allow[1]', hint: expect.stringContaining('did you mean "Apache-2.0"?') });
    expect(() => licenseList(['MIT OR ISC'], 'checks.license.deny')).toThrow(/deny\[0\]: "MIT OR ISC" is not one licence/);
  });
});

describe('the report reads licences as the check does', () => {
  it('lists the old licenses array as MIT, not as missing (busboy@1.6.0, xmlhttprequest-ssl@2.1.2)', async () => {
    // Advisories (the default gate's, asked of a source this registry does not serve) aside: this is about licences.
    const { document } = await report({ path: PROJECT, registries: { registry: server.url, scopes: {} }, today: AUDIT_DATE, skip: ['advisories'], registryAccess: { cache: emptyCache(), fetchOptions: { retry: { retries: 0 }, timeout: 3000 } } });
    const entries = document.report.packages.filter((entry) => ['old-style', 'tarball-only', 'no-license'].includes(entry.name));
    expect(entries.map((entry) => [entry.name, entry.license])).toEqual([
      ['no-license', null],
      ['old-style', 'MIT'],
      ['tarball-only', 'ISC'],
    ]);
    expect(document.report.inventory.licenseProblems.map((entry) => `${entry.name} ${entry.problem}`)).toEqual([
      'custom-lib custom',
      'misspelled not-spdx',
      'no-license missing',
      'proprietary unlicensed',
      'public-domain not-spdx',
    ]);
  });
});

describe('reading and judging licences', () => {
  it('reads license strings, { type } objects and licenses arrays (strings or objects, several joined with OR)', () => {
    expect(declaredLicense({ license: 'MIT' })).toBe('MIT');
    expect(declaredLicense({ license: { type: 'BSD-3-Clause', url: 'x' } })).toBe('BSD-3-Clause');
    expect(declaredLicense({ licenses: [{ type: 'MIT', url: 'https://github.com/mscdex/busboy/raw/master/LICENSE' }] })).toBe('MIT');
    expect(declaredLicense({ licenses: ['MIT', { type: 'Apache-2.0' }] })).toBe('MIT OR Apache-2.0');
    expect(declaredLicense({ licenses: ['MIT AND ISC', 'GPL-2.0-only'] })).toBe('(MIT AND ISC) OR GPL-2.0-only');
    expect(declaredLicense({ license: '  ', licenses: [] })).toBeNull();
    expect(declaredLicense({})).toBeNull();
  });

  it('classifies missing, UNLICENSED (never the Unlicense), SEE LICENSE IN, SPDX, corrected and free text', () => {
    expect(readLicense(null).status).toBe('missing');
    expect(readLicense('UNLICENSED')).toEqual({ declared: 'UNLICENSED', expression: null, status: 'unlicensed' });
    expect(readLicense('SEE LICENSE IN LICENSE.md')).toEqual({ declared: 'SEE LICENSE IN LICENSE.md', expression: null, status: 'custom', file: 'LICENSE.md' });
    expect(readLicense('(MIT OR Apache-2.0)').status).toBe('spdx');
    expect(readLicense('Apache 2.0')).toEqual({ declared: 'Apache 2.0', expression: 'Apache-2.0', status: 'corrected' });
    expect(readLicense('Public Domain').status).toBe('not-spdx');
  });

  it('judges OR as a choice, AND as both, ranges and exceptions as spdx-satisfies reads them', () => {
    expect(judgeLicense('(MIT OR GPL-3.0-only)', { allow: ['MIT'], deny: [] })).toEqual({ verdict: 'accepted', choice: ['MIT'] });
    expect(judgeLicense('(MIT OR GPL-3.0-only)', { allow: null, deny: ['GPL-3.0-only'] })).toEqual({ verdict: 'accepted', choice: ['MIT'] });
    expect(judgeLicense('MIT AND GPL-3.0-only', { allow: null, deny: ['GPL-3.0-only'] })).toEqual({ verdict: 'denied', denied: ['GPL-3.0-only'] });
    expect(judgeLicense('MIT AND GPL-3.0-only', { allow: ['MIT'], deny: [] })).toEqual({ verdict: 'not-allowed', outside: ['GPL-3.0-only'] });
    expect(judgeLicense('GPL-2.0-or-later', { allow: ['GPL-3.0-only'], deny: [] }).verdict).toBe('accepted');
    expect(judgeLicense('GPL-2.0-only WITH Classpath-exception-2.0', { allow: null, deny: ['GPL-2.0-only'] }).verdict).toBe('accepted');
    expect(alternatives('(MIT OR ISC) AND BSD-3-Clause')).toEqual([['MIT', 'BSD-3-Clause'], ['ISC', 'BSD-3-Clause']]);
  });
});
