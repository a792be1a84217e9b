import { describe, expect, it } from 'vitest';
import { summarise } from '../src/commands/check.js';
import type { AuditResult, Finding } from '../src/model.js';
import { REPORTERS } from '../src/render/index.js';
import { failingCount, packageLabel, summaryLine } from '../src/render/summary.js';
import { wrap } from '../src/render/table.js';

const findings: Finding[] = [
  {
    check: 'lockfile',
    rule: 'lockfile/foreign-host',
    severity: 'high',
    package: { name: 'is-number', version: '7.0.0', location: 'node_modules/is-number' },
    paths: [['is-number@7.0.0']],
    message: 'is-number@7.0.0 resolves to evil.example.com, which is not a configured registry.',
    evidence: { resolved: 'http://evil.example.com/is-number/-/is-number-7.0.0.tgz', host: 'evil.example.com' },
  },
  {
    check: 'pinning',
    rule: 'pinning/range',
    severity: 'moderate',
    package: { name: 'left-pad', version: '1.3.0', location: 'node_modules/left-pad' },
    paths: [['app-utils@2.0.0', 'left-pad@1.3.0'], ['other@1.0.0', 'left-pad@1.3.0']],
    message: 'dependencies: left-pad is "^1.3.0", a range | it takes new versions without review.',
    evidence: { dependencyType: 'dependencies', spec: '^1.3.0' },
  },
  {
    check: 'pinning',
    rule: 'pinning/wildcard',
    severity: 'high',
    package: { name: 'ms', version: '2.1.3', location: 'node_modules/ms' },
    paths: [['ms@2.1.3']],
    message: 'dependencies: ms is "*".',
    evidence: { dependencyType: 'dependencies', spec: '*' },
    waived: { id: 'pinning/wildcard', reason: 'replaced in <PR 12>', expires: '2027-01-31' },
  },
];

const result: AuditResult = {
  schemaVersion: 1,
  tool: { name: 'depguard', version: '0.0.0-test' },
  project: { name: 'risky-app', version: '2.0.0', path: '.', packageCount: 3 },
  summary: summarise(findings),
  findings,
  diagnostics: [{ level: 'warning', code: 'WORKSPACE_MISSING', message: 'workspace a is in the lockfile but packages/a/package.json does not exist' }],
};

describe('reporters', () => {
  it('counts unwaived findings at or above the threshold', () => {
    expect(result.summary).toEqual({ info: 0, low: 0, moderate: 1, high: 1, critical: 0, waived: 1 });
    expect(failingCount(result, 'high')).toBe(1);
    expect(failingCount(result, 'moderate')).toBe(2);
    expect(failingCount(result, 'critical')).toBe(0);
    expect(failingCount(result, 'none')).toBe(0);
    expect(summaryLine(result, 'high')).toBe('2 findings (1 high, 1 moderate), 1 waived in 3 packages; FAIL: 1 at or above high');
  });

  it('renders the table grouped by check, worst first, without colour', () => {
    const text = REPORTERS.table(result, { color: false, failOn: 'high' });
    expect(text).not.toContain('\u001b[');
    expect(text).toMatchSnapshot();
  });

  it('colours severities only when asked', () => {
    expect(REPORTERS.table(result, { color: true, failOn: 'high' })).toContain('\u001b[31mhigh');
  });

  it('renders markdown with escaped cells and a waived section', () => {
    const text = REPORTERS.markdown(result, { color: false, failOn: 'high' });
    expect(text).toContain('a range \\| it takes');
    expect(text).toContain('replaced in \\<PR 12\\>');
    expect(text).toMatchSnapshot();
  });

  it('says so when an optional advisory source could not be reached', () => {
    const unchecked = { ...result, checks: { advisories: { checked: false } } };
    expect(summaryLine(unchecked, 'high')).toMatch(/; advisories NOT checked \(source unreachable, --advisories optional\)$/);
    expect(summaryLine({ ...result, checks: { advisories: { checked: true } } }, 'high')).not.toContain('NOT checked');
  });

  it('labels a declared dependency that resolved to nothing by its name alone', () => {
    expect(packageLabel({ ...findings[0]!, package: { name: 'node', version: '', location: '' } })).toBe('node');
    expect(packageLabel(findings[0]!)).toBe('is-number@7.0.0');
    expect(packageLabel({ ...findings[0]!, package: null })).toBe('(project)');
  });

  it('renders JSON that parses back to the result', () => {
    expect(JSON.parse(REPORTERS.json(result, { color: false, failOn: 'high' }))).toEqual(result);
  });
});

describe('table: a reviewer-sized view', () => {
  const many: Finding[] = Array.from({ length: 40 }, (_, i) => ({
    check: 'install-scripts',
    rule: 'install-scripts/unapproved',
    severity: i < 2 ? 'high' : 'moderate',
    package: { name: `pkg-${String(i).padStart(2, '0')}`, version: '1.0.0', location: `node_modules/pkg-${i}` },
    paths: [[`parent@1.0.0`, `pkg-${i}@1.0.0`]],
    message: `pkg-${i}@1.0.0 runs postinstall "node -e \\"try{require('./postinstall-${i}-with-a-very-long-file-name-that-will-not-fit-in-a-column.js')}catch(e){}\\"" at install time and no allowlist approves it`,
    evidence: {},
  }));
  const big: AuditResult = { ...result, findings: [...many, ...findings], summary: summarise([...many, ...findings]) };

  it('counts every finding by check and rule first, then the worst rows of each rule, and says how many are not shown', () => {
    const text = REPORTERS.table(big, { color: false, failOn: 'high', width: 80 });
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^findings by rule\s+critical {2}high {2}moderate {2}low {2}info$/);
    expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(/^install-scripts +· +2 +38 +· +·$/), expect.stringMatching(/^ {2}unapproved +· +2 +38 +· +·$/)]));
    expect(text).toContain('install-scripts/unapproved (2 high, 38 moderate)');
    expect(text).toContain('… 37 more (--limit <n>, --all; --format json lists every one)');
    expect(text.match(/^ {2}(high|moderate) /gm)).toHaveLength(3 + 2);
    // Rows fit the width (diagnostics and the summary line are prose the terminal wraps).
    expect(lines.filter((line) => line.startsWith('  ')).every((line) => line.length <= 80)).toBe(true);
  });

  it('never cuts text: a long script wraps, every character kept', () => {
    const text = REPORTERS.table(big, { color: false, failOn: 'high', width: 80, limit: 1 });
    const row = text.slice(text.indexOf('  high'), text.indexOf('… 39 more'));
    const joined = row.split('\n').map((line) => line.slice(2 + 8 + 2 + 9 + 2)).join('');
    expect(joined.replaceAll(' ', '')).toContain(many[0]!.message.replaceAll(' ', ''));
  });

  it('--all shows every row; --limit 0 only the counts', () => {
    expect(REPORTERS.table(big, { color: false, failOn: 'high', limit: null }).match(/^ {2}(high|moderate) /gm)).toHaveLength(42);
    const counts = REPORTERS.table(big, { color: false, failOn: 'high', limit: 0 });
    expect(counts.match(/^ {2}(high|moderate) /gm)).toBeNull();
    expect(counts).toContain('42 findings not shown: 0 per rule (--limit <n>, --all)');
  });

  it('markdown: counts per rule, then each rule in <details> (worst open) with its worst rows and how many more', () => {
    const text = REPORTERS.markdown(big, { color: false, failOn: 'high' });
    expect(text).toContain('| `install-scripts/unapproved` | · | 2 | 38 | · | · |');
    expect(text.match(/^<details( open)?>$/gm)).toEqual(['<details open>', '<details>', '<details>']);
    // Worst rule first: two high install scripts, then the high foreign host, then the moderate range.
    expect([...text.matchAll(/<summary><code>([^<]+)<\/code>: ([^<]+)<\/summary>/g)].map((match) => `${match[1]}: ${match[2]}`)).toEqual([
      'install-scripts/unapproved: 2 high, 38 moderate',
      'lockfile/foreign-host: 1 high',
      'pinning/range: 1 moderate',
    ]);
    expect(text.match(/^\| (high|moderate) \| pkg-/gm)).toHaveLength(10);
    expect(text).toContain('30 more not listed here (`--limit <n>`, `--all`); `depguard check --format json` lists every one.');
    expect(text).not.toMatch(/<script/i);
  });

  it('markdown: --limit and --all set the rows per rule; the counts stay whole', () => {
    expect(REPORTERS.markdown(big, { color: false, failOn: 'high', limit: 2 }).match(/^\| (high|moderate) \| pkg-/gm)).toHaveLength(2);
    const all = REPORTERS.markdown(big, { color: false, failOn: 'high', limit: null });
    expect(all.match(/^\| (high|moderate) \| pkg-/gm)).toHaveLength(40);
    expect(all).not.toContain('more not listed here');
    const counts = REPORTERS.markdown(big, { color: false, failOn: 'high', limit: 0 });
    expect(counts).not.toContain('| severity | package |');
    expect(counts).toContain('| `install-scripts/unapproved` | · | 2 | 38 | · | · |');
    expect(counts).toContain('40 more not listed here');
  });

  it('wrap breaks at spaces and breaks a longer word without losing characters', () => {
    expect(wrap('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
    expect(wrap('x https://example.org/a/very/long/url', 10)).toEqual(['x', 'https://ex', 'ample.org/', 'a/very/lon', 'g/url']);
    expect(wrap('short', 10)).toEqual(['short']);
  });
});
