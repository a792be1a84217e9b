// Every rule's documentation: a file that exists, and, when package.json names
// the repository, a link that SARIF (helpUri), markdown and HTML carry.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CHECKS } from '../src/checks/index.js';
import { summarise } from '../src/commands/check.js';
import type { AuditResult, Finding } from '../src/model.js';
import { markdown } from '../src/render/markdown.js';
import { sarifLog } from '../src/render/sarif.js';
import { REPO } from './helpers/project.js';

const WEB = 'https://github.com/example/depguard';

vi.mock('../src/checks/docs.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/checks/docs.js')>();
  return { ...original, ruleDocs: (rule: string) => original.ruleDocs(rule, 'https://github.com/example/depguard', '1.2.3') };
});

const { repositoryWebUrl, ruleDocs } = await import('../src/checks/docs.js');

const finding: Finding = {
  check: 'lockfile',
  rule: 'lockfile/foreign-host',
  severity: 'high',
  package: { name: 'is-number', version: '7.0.0', location: 'node_modules/is-number' },
  paths: [['is-number@7.0.0']],
  message: 'is-number@7.0.0 resolves to evil.example.com, which is not a configured registry.',
  evidence: { host: 'evil.example.com' },
};
const result: AuditResult = {
  schemaVersion: 1,
  tool: { name: 'depguard', version: '1.2.3' },
  project: { name: 'app', version: '1.0.0', path: '.', packageCount: 1 },
  summary: summarise([finding]),
  findings: [finding],
  diagnostics: [],
};

describe('rule documentation', () => {
  it('names an existing document for every rule', () => {
    for (const check of CHECKS) {
      for (const rule of Object.keys(check.meta.rules)) {
        const docs = ruleDocs(`${check.meta.id}/${rule}`);
        expect(existsSync(join(REPO, docs.path)), docs.path).toBe(true);
        expect(docs.url).toBe(`${WEB}/blob/v1.2.3/docs/checks/${check.meta.id}.md`);
      }
    }
    expect(ruleDocs('waivers/expired').path).toBe('README.md');
  });

  it("reads package.json's repository in the forms npm accepts for GitHub", () => {
    for (const form of ['github:example/depguard', 'example/depguard', 'git+https://github.com/example/depguard.git', 'https://github.com/example/depguard', { url: 'git@github.com:example/depguard.git' }]) {
      expect(repositoryWebUrl(form), JSON.stringify(form)).toBe(WEB);
    }
    expect(repositoryWebUrl(undefined)).toBeNull();
    expect(repositoryWebUrl('https://gitlab.example.org/a/b')).toBeNull();
  });

  it('is the SARIF helpUri and the link of the rule in markdown', () => {
    const log = sarifLog(result) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string; helpUri?: string }> } } }> };
    const rules = log.runs[0]!.tool.driver.rules;
    expect(rules.find((rule) => rule.id === 'lockfile/foreign-host')?.helpUri).toBe(`${WEB}/blob/v1.2.3/docs/checks/lockfile.md`);
    expect(markdown(result, { color: false, failOn: 'high' })).toContain(`[\`lockfile/foreign-host\`](${WEB}/blob/v1.2.3/docs/checks/lockfile.md)`);
  });
});
