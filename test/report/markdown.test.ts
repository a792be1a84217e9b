// The markdown report: the whole text by snapshot (real-service this quarter,
// with last quarter's snapshot, a waiver and registry data), its structure by
// a markdown parser (every table stays a table whatever the cells hold).
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfmTableFromMarkdown } from 'mdast-util-gfm-table';
import { toString } from 'mdast-util-to-string';
import { gfmTable } from 'micromark-extension-gfm-table';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportDocument } from '../../src/render/report-model.js';
import { readSnapshot } from '../../src/commands/report/snapshot.js';
import { reportMarkdown } from '../../src/render/report-markdown.js';
import { reportHtml } from '../../src/render/report-html.js';
import { TestRegistry } from '../enrich/registry-server.js';
import { fixture, REPO, tempProject } from '../helpers/project.js';
import { reportWith, serveRealService } from './helpers.js';

type Node = { type: string; children?: Node[]; value?: string; depth?: number };

function parse(markdown: string): Node {
  return fromMarkdown(markdown, { extensions: [gfmTable()], mdastExtensions: [gfmTableFromMarkdown()] }) as unknown as Node;
}

function all(node: Node, type: string): Node[] {
  return [...(node.type === type ? [node] : []), ...(node.children ?? []).flatMap((child) => all(child, type))];
}

/** Stable across machines and releases: no temporary folder, a fixed tool version. */
function stable(document: ReportDocument): ReportDocument {
  return { ...document, tool: { name: 'depguard', version: '0.0.0-test' }, project: { ...document.project, path: 'real-service' } };
}

let server: TestRegistry;
let document: ReportDocument;
beforeAll(async () => {
  server = await new TestRegistry().start();
  serveRealService(server);
  const dir = tempProject(
    {
      'depguard.config.json': {
        extends: 'recommended',
        checks: { pinning: ['on', { rangesAllowedIn: ['peerDependencies'] }], 'pinning/range': 'high' },
        waivers: [
          { id: 'engines/eol-soon', reason: 'moving to Node.js 24 in Q1 (ENG-311)', expires: '2026-12-15' },
          { id: 'pinning/range', package: 'mocha', reason: 'test runner | pinned by <renovate>', expires: '2027-03-31' },
        ],
      },
    },
    fixture('real-service'),
  );
  document = stable(await reportWith(server, dir, { previous: await readSnapshot(join(REPO, 'fixtures/report/real-service-2026-08-27.json')) }));
});
afterAll(() => server.stop());

describe('the markdown report', () => {
  it('renders every section of a quarterly report', () => {
    expect(reportMarkdown(document, { failOn: 'high' })).toMatchSnapshot();
  });

  it('keeps every table well-formed and every section under its heading', () => {
    const markdown = reportMarkdown(document, { failOn: 'high' });
    const tree = parse(markdown);
    const headings = all(tree, 'heading').map((heading) => `${'#'.repeat(heading.depth!)} ${toString(heading)}`);
    expect(headings.filter((heading) => heading.startsWith('## '))).toEqual([
      '## Summary',
      '## Since 2026-08-27',
      '## Findings',
      '## Riskiest packages',
      '## Waivers',
      '## Freshness of direct dependencies',
      '## Node.js runway',
      '## Inventory',
    ]);
    const tables = all(tree, 'table');
    for (const table of tables) {
      const [header, ...rows] = table.children!;
      for (const row of rows) expect(row.children!.length).toBe(header!.children!.length);
    }
    const pipeLines = markdown.split('\n').filter((line) => line.startsWith('|')).length;
    expect(tables.reduce((sum, table) => sum + table.children!.length + 1, 0)).toBe(pipeLines);
    // A reason with a pipe and angle brackets stays inside its cell.
    const waivers = tables.find((table) => toString(table.children![0]!).startsWith('waiverpackage'))!;
    expect(waivers.children!.slice(1).map((row) => row.children!.map((cell) => toString(cell)))).toContainEqual([
      'pinning/range',
      'mocha',
      'active',
      '2027-03-31 (in 124 days)',
      '1',
      'test runner | pinned by <renovate>',
    ]);
  });

  it('says when freshness was skipped and when there is nothing to rank', async () => {
    const offline = reportMarkdown(stable(await reportWith(null, fixture('clean-app'))), { failOn: 'high' });
    expect(offline).toContain('Freshness was not checked: offline');
    expect(offline).toContain('No package has findings, install scripts or capabilities worth ranking.');
    expect(offline).toContain('The config has no waivers.');
    expect(offline).not.toContain('## Since');
  });
});

describe('findings grouped by rule, collapsible, worst first (markdown and HTML)', () => {
  const many = (doc: ReportDocument): ReportDocument => {
    const base = doc.findings.find((finding) => !finding.waived)!;
    const extra = Array.from({ length: 60 }, (_, i) => ({ ...base, rule: 'capabilities/network', check: 'capabilities', severity: 'low' as const, package: { name: `net-${i}`, version: '1.0.0', location: `node_modules/net-${i}` }, message: `net-${i} can reach the network` }));
    return { ...doc, findings: [...doc.findings, ...extra] };
  };

  it('markdown: one <details> per rule with its counts, worst rule first, rows capped per rule', () => {
    const markdown = reportMarkdown(many(document), { failOn: 'high' });
    const summaries = [...markdown.matchAll(/^<summary><code>(.+?)<\/code>: (.+)<\/summary>$/gm)].map((match) => `${match[1]}: ${match[2]}`);
    expect(summaries).toEqual(['pinning/range: 1 high', 'capabilities/network: 60 low']);
    expect(markdown.match(/<details>/g)).toHaveLength(2);
    expect(markdown.match(/<\/details>/g)).toHaveLength(2);
    expect(markdown).toContain('10 more capabilities/network findings are in the JSON snapshot.');
  });

  it('HTML: the same groups as <details> (the worst one open), no script under the CSP', () => {
    const html = reportHtml(many(document), { failOn: 'high' });
    const groups = [...html.matchAll(/<details class="rule"( open)?>\n<summary><code>(.+?)<\/code><span class="count">(.+?)<\/span><\/summary>/g)].map((match) => `${match[2]}: ${match[3]}${match[1] ? ' (open)' : ''}`);
    expect(groups).toEqual(['pinning/range: 1 high (open)', 'capabilities/network: 60 low']);
    expect(html).toContain('10 more capabilities/network findings are in the JSON snapshot.');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });
});
