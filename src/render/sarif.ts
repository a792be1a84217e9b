// SARIF 2.1.0 for GitHub code scanning: one rule per rule id of every check
// (and the waiver rules), one result per finding, located at the lockfile
// entry of the package (the line of its `packages` key), at the dependency's
// line in package.json, or at the file and line a finding's evidence names.
//
// Alerts must track across runs, so every result carries a fingerprint of the
// finding's identity (src/checks/identity.ts: rule, package name, advisory id,
// stable evidence — never the message, the line or the tree location) as
// `primaryLocationLineHash`, the one key GitHub matches on. GitHub's upload
// action keeps a fingerprint it finds (it would otherwise hash the text
// around the line, which changes whenever the entry's version does).
//
// Pure: the file texts it locates lines in are passed in (`sources`).

import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { CHECKS } from '../checks/index.js';
import { ruleDocs } from '../checks/docs.js';
import { findingKey } from '../checks/identity.js';
import { severityRank, type AuditResult, type Finding, type Severity } from '../model.js';
import { compareStrings } from '../util/compare.js';
import type { ReportOptions } from './types.js';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** The texts of the files results point into, by path relative to the project (posix). */
export interface SarifSources {
  files: Record<string, string>;
  /** The lockfile's path relative to the project (package-lock.json, npm-shrinkwrap.json), when there is one. */
  lockfile: string | null;
  /** 1-based line of each lockfile entry by package location, for lockfiles whose keys are not locations (pnpm, yarn, bun). */
  lockfileLines?: Record<string, number>;
}

export interface SarifOptions extends ReportOptions {
  sources?: SarifSources;
}

interface RuleInfo {
  id: string;
  check: string;
  description: string;
  checkDescription: string;
  severity: Severity;
}

/** Rules the engine itself reports about the config's waivers (src/policy/waivers.ts). */
const WAIVER_RULES: RuleInfo[] = [
  {
    id: 'waivers/expired',
    check: 'waivers',
    description: 'A waiver in the config has passed its expiry date and no longer applies: review it, renew it with a new date or remove it.',
    checkDescription: 'Waivers are reviewed exceptions with a reason and an expiry date.',
    severity: 'low',
  },
  {
    id: 'waivers/unused',
    check: 'waivers',
    description: 'A waiver in the config matches no finding: remove it so the list stays short and reviewed.',
    checkDescription: 'Waivers are reviewed exceptions with a reason and an expiry date.',
    severity: 'info',
  },
];

function allRules(): RuleInfo[] {
  const rules = CHECKS.flatMap((check) =>
    Object.entries(check.meta.rules).map(([name, rule]) => ({ id: `${check.meta.id}/${name}`, check: check.meta.id, description: rule.description, checkDescription: check.meta.description, severity: rule.severity })),
  );
  return [...rules, ...WAIVER_RULES].sort((a, b) => compareStrings(a.id, b.id));
}

/** GitHub shows error / warning / note; depguard's five severities fold onto them. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
  return severityRank(severity) >= severityRank('high') ? 'error' : severity === 'moderate' ? 'warning' : 'note';
}

/** GitHub's security severity (0.1–10): critical over 9, high 7–8.9, medium 4–6.9, low under 4. */
const SECURITY_SEVERITY: Record<Severity, string | null> = { critical: '9.5', high: '8.0', moderate: '5.5', low: '3.0', info: null };

function pascal(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

function firstSentence(text: string): string {
  const match = /^(.+?[.!?])(?:\s|$)/.exec(text);
  return (match ? match[1]! : text).slice(0, 1000);
}

/** 1-based line of the first line containing `needle` at or after line `from` (1-based), or null. */
function lineIn(lines: readonly string[], needle: string, from = 1): number | null {
  for (let index = from - 1; index < lines.length; index++) if (lines[index]!.includes(needle)) return index + 1;
  return null;
}

/** The line of a dependency in a package.json: its key inside the dependency field, else in any dependency field. */
function manifestLine(lines: readonly string[], name: string, field: string | null): number | null {
  const key = `${JSON.stringify(name)}:`;
  const fields = field ? [field] : ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'];
  for (const candidate of fields) {
    const start = lineIn(lines, `${JSON.stringify(candidate)}:`);
    const line = start === null ? null : lineIn(lines, key, start + 1);
    if (line !== null) return line;
  }
  return null;
}

function relativeFile(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const file = posix.normalize(value.replaceAll('\\', '/'));
  return file.startsWith('/') || file.startsWith('../') || file === '..' ? null : file;
}

interface Place {
  file: string;
  line: number | null;
}

/** Finds lines in the source texts; indexes the lockfile's keys once, so thousands of findings cost one pass. */
class Locator {
  readonly #sources: SarifSources | undefined;
  readonly #lines = new Map<string, string[]>();
  #lockfileKeys: Map<string, number> | null = null;

  constructor(sources: SarifSources | undefined) {
    this.#sources = sources;
  }

  lines(file: string): string[] | null {
    const text = this.#sources?.files[file];
    if (text === undefined) return null;
    let lines = this.#lines.get(file);
    if (!lines) this.#lines.set(file, (lines = text.split('\n')));
    return lines;
  }

  /** The line of a `"key": {` in the lockfile: v2/v3 key every package by its location, v1 nests them by name (first wins). */
  lockfileKey(key: string): number | null {
    const lockfile = this.#sources?.lockfile ?? null;
    if (lockfile === null) return null;
    if (!this.#lockfileKeys) {
      this.#lockfileKeys = new Map();
      (this.lines(lockfile) ?? []).forEach((line, index) => {
        const match = /^\s*("(?:[^"\\]|\\.)*"): \{/.exec(line);
        if (!match) return;
        const parsed = JSON.parse(match[1]!) as string;
        if (!this.#lockfileKeys!.has(parsed)) this.#lockfileKeys!.set(parsed, index + 1);
      });
    }
    return this.#lockfileKeys.get(key) ?? null;
  }

  /** Where a finding points: evidence file:line, the lockfile entry, the declaring package.json, else the project's package.json. */
  locate(finding: Finding): Place {
    const lockfile = this.#sources?.lockfile ?? null;
    const evidenceFile = relativeFile(finding.evidence.file);
    const name = typeof finding.evidence.name === 'string' ? finding.evidence.name : typeof finding.evidence.dependency === 'string' ? finding.evidence.dependency : (finding.package?.name ?? null);
    const field = typeof finding.evidence.dependencyType === 'string' ? finding.evidence.dependencyType : null;
    if (evidenceFile) {
      if (typeof finding.evidence.line === 'number' && Number.isInteger(finding.evidence.line) && finding.evidence.line > 0) return { file: evidenceFile, line: finding.evidence.line };
      const lines = this.lines(evidenceFile);
      if (lines && evidenceFile.endsWith('package.json') && name !== null) return { file: evidenceFile, line: manifestLine(lines, name, field) };
      return { file: evidenceFile, line: null };
    }
    // A single-cause finding (src/policy/group.ts) points at its first affected entry.
    const grouped = !finding.package && Array.isArray(finding.evidence.locations) && typeof finding.evidence.locations[0] === 'string' ? finding.evidence.locations[0] : null;
    const location = finding.package?.location ?? grouped ?? '';
    const entryLine = this.#sources?.lockfileLines;
    if (location !== '' && lockfile !== null && entryLine) return { file: lockfile, line: Object.hasOwn(entryLine, location) ? entryLine[location]! : null };
    if (location !== '' && lockfile !== null) return { file: lockfile, line: this.lockfileKey(location) ?? (finding.package ? this.lockfileKey(finding.package.name) : null) };
    const manifest = this.lines('package.json');
    if (finding.package && name !== null && manifest) return { file: 'package.json', line: manifestLine(manifest, name, field) };
    if (finding.check === 'lockfile' && lockfile !== null) return { file: lockfile, line: null };
    return { file: 'package.json', line: null };
  }
}

/** Where a finding points (see Locator.locate). */
export function locate(finding: Finding, sources: SarifSources | undefined): Place {
  return new Locator(sources).locate(finding);
}

/** The project folder as a repository-relative URI prefix, when it is one (a path given relative to the checkout). */
function uriBase(projectPath: string): string | null {
  const base = posix.normalize(projectPath.replaceAll('\\', '/')).replace(/\/$/, '');
  if (base.startsWith('/') || /^[A-Za-z]:/.test(base) || base === '..' || base.startsWith('../')) return null;
  return base === '.' ? '' : `${base}/`;
}

function encodeUri(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

export function fingerprint(finding: Finding): string {
  return createHash('sha256').update(findingKey(finding)).digest('hex').slice(0, 32);
}

export function sarifLog(result: AuditResult, options: Pick<SarifOptions, 'sources'> = {}): Record<string, unknown> {
  const rules = allRules();
  const index = new Map(rules.map((rule, position) => [rule.id, position] as const));
  // A rule's security severity: the worst of its results in this run (policies and advisories change severities), else its default.
  const worst = new Map<string, Severity>();
  for (const finding of result.findings) {
    const seen = worst.get(finding.rule);
    if (!seen || severityRank(finding.severity) > severityRank(seen)) worst.set(finding.rule, finding.severity);
  }
  const base = uriBase(result.project.path);
  const seen = new Map<string, number>();
  const locator = new Locator(options.sources);
  const results = result.findings.map((finding) => {
    const place = locator.locate(finding);
    // Findings with the same identity (two copies of one package) stay apart by their order.
    const hash = fingerprint(finding);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    const label = finding.package ? (finding.package.version ? `${finding.package.name}@${finding.package.version}` : finding.package.name) : null;
    const known = index.get(finding.rule);
    return {
      ruleId: finding.rule,
      ...(known !== undefined ? { ruleIndex: known } : {}),
      level: sarifLevel(finding.severity),
      message: { text: finding.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: base === null ? { uri: encodeUri(place.file), uriBaseId: 'PROJECTROOT' } : { uri: encodeUri(`${base}${place.file}`), uriBaseId: '%SRCROOT%' },
            ...(place.line !== null ? { region: { startLine: place.line } } : {}),
          },
        },
      ],
      partialFingerprints: { primaryLocationLineHash: `${hash}:${occurrence}` },
      ...(finding.waived
        ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${finding.waived.reason} (waiver ${finding.waived.id}, expires ${finding.waived.expires})` }] }
        : {}),
      properties: {
        severity: finding.severity,
        ...(label ? { package: label } : {}),
        ...(finding.package?.location ? { location: finding.package.location } : {}),
        ...(finding.locations ? { locations: finding.locations } : {}),
        ...(Array.isArray(finding.evidence.packages) && !finding.package ? { packages: finding.evidence.packages } : {}),
        ...(finding.paths.length > 0 ? { paths: finding.paths.map((path) => path.join(' > ')) } : {}),
        ...(finding.advisory ? { advisory: finding.advisory.id, ...(finding.advisory.url ? { advisoryUrl: finding.advisory.url } : {}) } : {}),
      },
    };
  });
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: result.tool.name,
            version: result.tool.version,
            semanticVersion: result.tool.version,
            rules: rules.map((rule) => {
              const severity = worst.get(rule.id) ?? rule.severity;
              const security = SECURITY_SEVERITY[severity];
              const documentation = ruleDocs(rule.id);
              const docs = rule.check === 'waivers' ? 'README.md (Config: waivers)' : documentation.path;
              return {
                id: rule.id,
                name: pascal(rule.id),
                ...(documentation.url ? { helpUri: documentation.url } : {}),
                shortDescription: { text: firstSentence(rule.description) },
                fullDescription: { text: rule.description },
                help: {
                  text: `${rule.description}\n\n${rule.check}: ${rule.checkDescription}\nRule documentation: ${docs} in the depguard repository.`,
                  markdown: `${rule.description}\n\n**${rule.check}**: ${rule.checkDescription}\n\nRule documentation: \`${docs}\` in the depguard repository.`,
                },
                defaultConfiguration: { level: sarifLevel(rule.severity) },
                properties: {
                  tags: ['security', 'supply-chain', rule.check],
                  precision: 'very-high',
                  ...(security ? { 'security-severity': security } : {}),
                },
              };
            }),
          },
        },
        results,
        columnKind: 'utf16CodeUnits',
        properties: { project: { name: result.project.name, version: result.project.version, packageCount: result.project.packageCount }, summary: result.summary },
      },
    ],
  };
}

/** The reporter: `--format sarif` of check and report. */
export const sarif = (result: AuditResult, options: SarifOptions): string => `${JSON.stringify(sarifLog(result, options), null, 2)}\n`;
