// A pnpm, yarn or bun project's own overrides, read in each manager's syntax,
// and judged by the versions they force: one that pins a version an advisory
// hits is overrides/vulnerable (high), as an npm override is.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Assessment } from '../../src/remediate/assess.js';
import { declaredOverrides } from '../../src/remediate/manager-overrides.js';
import { auditDeclaredOverrides } from '../../src/remediate/overrides-audit.js';

function project(files: Record<string, string | object>): string {
  const dir = mkdtempSync(join(tmpdir(), 'depguard-declared-overrides-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const summary = (dir: string, manager: 'pnpm' | 'yarn' | 'bun') => declaredOverrides(dir, manager).map(({ path, name, value, where }) => `${where}: ${path.join(' > ')} -> ${name}@${value}`);

describe('declared overrides', () => {
  it('pnpm: package.json pnpm.overrides and pnpm-workspace.yaml overrides, with parent>name and version selectors', () => {
    const dir = project({
      'package.json': { name: 'app', pnpm: { overrides: { qs: '6.7.0', 'express@<4.18>@types/node': '20.0.0' } } },
      'pnpm-workspace.yaml': "overrides:\n  body-parser>qs: 6.7.0\n  '@scope/lib@^1': 1.2.3\n",
    });
    expect(summary(dir, 'pnpm')).toEqual([
      'package.json pnpm.overrides: qs -> qs@6.7.0',
      'package.json pnpm.overrides: express@<4.18 > @types/node -> @types/node@20.0.0',
      'pnpm-workspace.yaml overrides: body-parser > qs -> qs@6.7.0',
      'pnpm-workspace.yaml overrides: @scope/lib@^1 -> @scope/lib@1.2.3',
    ]);
  });

  it('yarn: resolutions with ** and scoped steps, berry npm: values; bun: top-level overrides and resolutions', () => {
    const yarn = project({ 'package.json': { name: 'app', resolutions: { '**/qs': '6.7.0', 'express/@scope/lib': 'npm:1.2.3', 'lodash@npm:^4': '4.17.20' } } });
    expect(summary(yarn, 'yarn')).toEqual([
      'package.json resolutions: qs -> qs@6.7.0',
      'package.json resolutions: express > @scope/lib -> @scope/lib@1.2.3',
      'package.json resolutions: lodash@npm:^4 -> lodash@4.17.20',
    ]);
    const bun = project({ 'package.json': { name: 'app', overrides: { qs: '6.7.0', nested: { ignored: '1.0.0' } }, resolutions: { cookie: '0.4.0' } } });
    expect(summary(bun, 'bun')).toEqual(['package.json overrides: qs -> qs@6.7.0', 'package.json resolutions: cookie -> cookie@0.4.0']);
  });

  it('an override that forces a version an advisory hits is overrides/vulnerable (high); a safe one, or a deprecation, is not', () => {
    const dir = project({ 'package.json': { name: 'app', pnpm: { overrides: { qs: '6.7.0', cookie: '0.7.0', request: '2.88.2' } } } });
    const before = { hits: new Set(['qs@6.7.0 GHSA-hrpp-h998-j3pp', 'cookie@0.4.0 GHSA-pxg6-pf52-xh8x', 'request@2.88.2 deprecated']) } as unknown as Assessment;
    const findings = auditDeclaredOverrides(dir, before, 'pnpm');
    expect(findings.map((f) => `${f.rule} ${f.severity} ${f.path.join('>')}=${f.value}`)).toEqual(['overrides/vulnerable high qs=6.7.0']);
    expect(findings[0]!.evidence).toEqual({ advisories: ['GHSA-hrpp-h998-j3pp'], declaredIn: 'package.json pnpm.overrides' });
  });
});
