// What a reviewer reads on a real-size tree (issue 19's "Done when"):
// shared/data's lockfile-lint lockfile (1,703 packages, 4 workspaces) under
// the strict preset's offline checks, with another registry configured so
// that every entry's host is foreign (the worst case for reporting). The
// terminal table stays about a screenful with per-rule counts, the markdown
// lists each rule under its counts with a bounded number of rows, and the
// JSON still names every package a per-copy finding was about.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { gfmTable } from 'micromark-extension-gfm-table';
import { beforeAll, describe, expect, it } from 'vitest';
import { audit, type AuditOutcome } from '../../src/commands/check.js';
import { REPORTERS } from '../../src/render/index.js';
import { MARKDOWN_ROWS } from '../../src/render/markdown.js';
import { affectedPackages } from '../../src/policy/group.js';
import { SHARED_DATA } from '../helpers/project.js';
import { tempDir } from '../diff/helpers.js';

const project = join(SHARED_DATA, 'lockfiles', 'lockfile-lint');
const OFFLINE_STRICT = ['lockfile', 'pinning', 'engines', 'install-scripts', 'typosquat', 'npm-config'];

describe.skipIf(!existsSync(project))('a 1,703-package tree under strict (shared/data lockfile-lint)', () => {
  if (!existsSync(project)) it.skip(`skipped: ${project} is absent (CI lays ../shared beside the clone)`, () => {});
  let outcome: AuditOutcome;
  beforeAll(async () => {
    outcome = await audit({
      path: project,
      policyName: 'strict',
      only: OFFLINE_STRICT,
      registries: { registry: 'https://mirror.example.com/', scopes: {} },
      today: '2026-11-27',
      registryAccess: { mode: 'offline', cache: tempDir() },
    });
  }, 120_000);

  it('prints about a screenful by default, counts by rule first', () => {
    const text = REPORTERS.table(outcome.result, { color: false, failOn: 'high', width: 120 });
    const lines = text.split('\n');
    expect(outcome.copies.length).toBeGreaterThan(1700);
    expect(lines.length).toBeLessThanOrEqual(150);
    expect(lines[0]).toMatch(/^findings by rule/);
    expect(text).toMatch(/^lockfile +/m);
    expect(text).toMatch(/^ {2}foreign-host +/m);
  });

  it('names in JSON every package that any per-copy finding was about', () => {
    const json = JSON.parse(REPORTERS.json(outcome.result, { color: false, failOn: 'high' })) as typeof outcome.result;
    const named = new Set(json.findings.flatMap((finding) => affectedPackages(finding).map((label) => `${finding.rule} ${label}`)));
    const missing = outcome.copies.filter((copy) => copy.package && !named.has(`${copy.rule} ${copy.package.version ? `${copy.package.name}@${copy.package.version}` : copy.package.name}`));
    expect(missing).toEqual([]);
    // One foreign-host finding for the host, every package in it.
    const hosts = json.findings.filter((finding) => finding.rule === 'lockfile/foreign-host');
    expect(hosts).toHaveLength(1);
    expect(hosts[0]!.evidence.count).toBe((hosts[0]!.evidence.packages as string[]).length);
  });

  it('markdown: every rule under its counts, at most MARKDOWN_ROWS rows each, well-formed tables', () => {
    const text = REPORTERS.markdown(outcome.result, { color: false, failOn: 'high' });
    const rules = new Set(outcome.result.findings.filter((finding) => !finding.waived).map((finding) => finding.rule));
    expect(text.match(/^<details( open)?>$/gm)).toHaveLength(rules.size);
    expect(text.match(/^<details open>$/gm)).toHaveLength(1);
    for (const rule of rules) expect(text).toContain(`<code>${rule}</code>`);
    const rows = text.split('\n').filter((line) => /^\| (critical|high|moderate|low|info) \|/.test(line));
    expect(rows.length).toBeLessThanOrEqual(rules.size * MARKDOWN_ROWS);
    expect(text).not.toMatch(/<script/i);
    const tree = fromMarkdown(text, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] }) as unknown as { children: Array<{ type: string }> };
    // The counts table plus one findings table per rule, each parsed as a table.
    expect(tree.children.filter((node) => node.type === 'table').length).toBe(2 + rules.size);
  });
});
