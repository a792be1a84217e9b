// Matching with npm audit's semantics: a port of Arborist's AuditReport
// (lib/audit-report.js, lib/vuln.js, @npmcli/arborist 10) from Arborist
// nodes to depguard's DepGraph. Same order of work, same tests, so the same
// packages come out vulnerable, with the same advisories, at the same node
// locations, and the same `fixAvailable`:
//
// - a node is audited unless it is the root, a workspace or another link
//   target, or has no version (npm's shouldAudit; --omit is applied to the
//   findings by the engine, which gives the same per-node answer);
// - a node is vulnerable to an advisory when its version is in the range;
// - each dependent of a vulnerable node that is not a top node (root,
//   workspace) gets a metavulnerability when its own version cannot avoid the
//   vulnerable versions (npm's calculator), which is then matched in turn;
// - a top node's edge into a vulnerable node decides `fixAvailable`: true
//   when the edge's range admits a safe version, else the version npm's
//   `audit fix --force` would pick, else false.

import npa from 'npm-package-arg';
import semver from 'semver';
import { createRequire } from 'node:module';
import type { DepGraph, DepNode } from '../../model.js';
import type { Calculator, CalcAdvisory, CalcPackument } from './calculator.js';
import type { Advisory } from '../../enrich/advisories/types.js';

const require = createRequire(import.meta.url);
type PickManifest = (packument: CalcPackument, wanted: string, options: Record<string, unknown>) => { name: string; version: string; _isSemVerMajor?: boolean; _outsideDependencyRange?: boolean; _shouldAvoid?: boolean };
const pickManifest = require('npm-pick-manifest') as PickManifest;

const SEMVER_OPTIONS = { loose: true, includePrerelease: true } as const;
const SEVERITY_RANK = new Map<string | null, number>([
  [null, -1],
  ['info', 0],
  ['low', 1],
  ['moderate', 2],
  ['high', 3],
  ['critical', 4],
]);

/** npm's fixAvailable: true (in range), false (none), or the version `audit fix --force` would install. */
export type NpmFixAvailable = boolean | { name: string; version: string; isSemVerMajor: boolean };

/** One vulnerable package name, as npm's Vuln. */
export class Vuln {
  readonly name: string;
  readonly advisories = new Set<CalcAdvisory>();
  readonly nodes = new Set<DepNode>();
  readonly topNodes = new Set<string>();
  readonly via = new Set<Vuln>();
  readonly effects = new Set<Vuln>();
  severity: string | null = null;
  readonly packument: CalcPackument | null;
  readonly versions: string[];
  #fixAvailable: NpmFixAvailable = true;

  constructor(name: string, advisory: CalcAdvisory) {
    this.name = name;
    this.addAdvisory(advisory);
    this.packument = advisory.packument;
    this.versions = advisory.versions;
  }

  get fixAvailable(): NpmFixAvailable {
    return this.#fixAvailable;
  }

  // A fix at the top also fixes what led there: the vias take the strictest fix (npm's rules).
  set fixAvailable(fix: NpmFixAvailable) {
    this.#fixAvailable = fix;
    for (const via of this.via) {
      if (via.fixAvailable === fix) continue;
      if (fix === false) via.fixAvailable = fix;
      else if (via.fixAvailable === true) via.fixAvailable = fix;
      else if (typeof fix === 'object' && (typeof via.fixAvailable !== 'object' || !via.fixAvailable.isSemVerMajor)) via.fixAvailable = fix;
    }
  }

  /** Every advisory's range joined: the versions a fix must avoid. */
  get range(): string {
    return [...this.advisories].map((advisory) => advisory.range).join(' || ');
  }

  /** The range as npm prints it (semver.simplifyRange over the published versions). */
  get simpleRange(): string {
    const versions = [...this.advisories][0]?.versions ?? [];
    return semver.simplifyRange(versions, this.range, SEMVER_OPTIONS) as string;
  }

  addAdvisory(advisory: CalcAdvisory): void {
    this.advisories.add(advisory);
    if (SEVERITY_RANK.get(advisory.severity)! > SEVERITY_RANK.get(this.severity)!) this.severity = advisory.severity;
  }

  deleteAdvisory(advisory: CalcAdvisory): void {
    this.advisories.delete(advisory);
    this.severity = null;
    for (const remaining of [...this.advisories]) this.addAdvisory(remaining);
    const vias = new Set([...this.advisories].map((remaining) => remaining.dependency));
    for (const via of this.via) {
      if (!vias.has(via.name)) {
        this.via.delete(via);
        via.effects.delete(this);
      }
    }
  }

  addVia(via: Vuln): void {
    this.via.add(via);
    via.effects.add(this);
    // Re-run the setter: a via added after fixAvailable was set still inherits it.
    this.fixAvailable = this.fixAvailable;
  }

  /** True when no version the spec allows avoids every advisory (non-registry specs always). */
  testSpec(spec: string): boolean {
    const parsed = parseSpec(spec);
    if (!parsed?.registry) return true;
    const wanted = parsed.subSpec ? parsed.subSpec.rawSpec : spec;
    for (const version of this.versions) {
      if (semver.satisfies(version, wanted) && !semver.satisfies(version, this.range, SEMVER_OPTIONS)) return false;
    }
    return true;
  }
}

interface ParsedSpec {
  registry: boolean;
  subSpec?: { rawSpec: string };
}

/** npm-package-arg's reading of a bare spec, as Arborist calls it (`npa(spec)`); null when it throws. */
function parseSpec(spec: string): ParsedSpec | null {
  try {
    return npa(spec) as unknown as ParsedSpec;
  } catch {
    return null;
  }
}

export interface IncomingEdge {
  from: DepNode;
  spec: string;
}

/** A graph's view in Arborist's terms: edges in, top nodes, what npm audits. */
export interface GraphViewOptions {
  /**
   * The Node.js version versions are picked for (npm-pick-manifest's
   * `nodeVersion`: it prefers versions whose engines admit it): the project's
   * (../engines/project-node.ts). Absent: npm-pick-manifest's default, the
   * Node.js running this process, as Arborist's own AuditReport does; only
   * the parity tests against Arborist leave it out.
   */
  nodeVersion?: string;
}

export class GraphView {
  readonly graph: DepGraph;
  readonly nodeVersion: string | undefined;
  readonly #linkTargets: Set<string>;
  readonly #byName = new Map<string, DepNode[]>();

  constructor(graph: DepGraph, options: GraphViewOptions = {}) {
    this.graph = graph;
    this.nodeVersion = options.nodeVersion;
    this.#linkTargets = new Set(graph.links.values());
    for (const node of [...graph.nodes.values()].sort((a, b) => (a.location < b.location ? -1 : a.location > b.location ? 1 : 0))) {
      const list = this.#byName.get(node.packageName);
      if (list) list.push(node);
      else this.#byName.set(node.packageName, [node]);
    }
  }

  nodesNamed(name: string): DepNode[] {
    return this.#byName.get(name) ?? [];
  }

  /** Arborist's shouldAudit, without --omit: not the root, a link target (workspaces, file: folders) or a node without a version. */
  shouldAudit(node: DepNode): boolean {
    return node.location !== '' && node.version !== '' && !node.isWorkspace && !this.#linkTargets.has(node.location);
  }

  /** Arborist's isTop: no parent folder in node_modules (the root, workspaces, file: link targets). */
  isTop(node: DepNode): boolean {
    return node.location === '' || !/(^|\/)node_modules\//.test(node.location);
  }

  /** Arborist's isDirect for one node: an edge from the project root or a workspace. */
  isDirect(node: DepNode): boolean {
    return node.dependents.some((location) => location === '' || this.graph.nodes.get(location)?.isWorkspace === true);
  }

  edgesIn(node: DepNode): IncomingEdge[] {
    const edges: IncomingEdge[] = [];
    for (const location of node.dependents) {
      const from = this.graph.nodes.get(location);
      if (!from) continue;
      for (const edge of from.edgesOut) if (edge.to === node.location) edges.push({ from, spec: edge.spec });
    }
    return edges;
  }
}

export interface MatchResult {
  /** Vulnerable packages by name, as npm's AuditReport holds them. */
  vulns: Map<string, Vuln>;
  /** Packages npm cannot fix without --force, by name. */
  topVulns: Map<string, Vuln>;
}

/** Arborist's #fixAvailable for a top node's edge into a vulnerable package. */
function npmFixAvailable(vuln: Vuln, spec: string, nodeVersion: string | undefined): NpmFixAvailable {
  if (!vuln.testSpec(spec)) return true;
  const parsed = parseSpec(spec);
  if (!parsed?.registry || !vuln.packument) return false;
  const wanted = parsed.subSpec ? parsed.subSpec.rawSpec : spec;
  try {
    const picked = pickManifest(vuln.packument, wanted, { before: null, avoid: vuln.range, avoidStrict: true, ...(nodeVersion ? { nodeVersion } : {}) });
    return { name: picked.name, version: picked.version, isSemVerMajor: picked._isSemVerMajor === true };
  } catch {
    return false;
  }
}

/** Runs npm's audit arithmetic over the graph for the given advisories (in the order the source gave them). */
export async function matchAdvisories(view: GraphView, advisories: Advisory[], calculator: Calculator): Promise<MatchResult> {
  const vulns = new Map<string, Vuln>();
  const topVulns = new Map<string, Vuln>();
  // A Set grows while it is iterated: metavulns found below are visited in turn.
  const calculated = new Set(await Promise.all(advisories.map((advisory) => calculator.advisory(advisory))));
  const seen = new Set<string>();
  for (const advisory of calculated) {
    const { name, range } = advisory;
    const key = `${name}@${range}`;
    let vuln = vulns.get(name);
    if (vuln) vuln.addAdvisory(advisory);
    else {
      vuln = new Vuln(name, advisory);
      vulns.set(name, vuln);
    }
    // The same name and range once: more advisories with one range add no nodes.
    if (!seen.has(key)) {
      // Metavulns join the queue in the order they were asked for, not the order their packuments
      // arrived in (npm's), so the answer never depends on network timing.
      const pending: Array<Promise<CalcAdvisory | null>> = [];
      for (const node of view.nodesNamed(name)) {
        if (!view.shouldAudit(node) || !advisory.testVersion(node.version) || vuln.nodes.has(node)) continue;
        vuln.nodes.add(node);
        for (const { from, spec } of view.edgesIn(node)) {
          if (view.isTop(from) && !vuln.topNodes.has(from.location)) {
            vuln.fixAvailable = npmFixAvailable(vuln, spec, view.nodeVersion);
            if (vuln.fixAvailable !== true) {
              topVulns.set(vuln.name, vuln);
              vuln.topNodes.add(from.location);
            }
          } else {
            const dependent = from;
            pending.push(calculator.metavuln(dependent.packageName, advisory).then((meta) => (meta.testVersion(dependent.version, spec) ? meta : null)));
          }
        }
      }
      for (const meta of await Promise.all(pending)) if (meta) calculated.add(meta);
      seen.add(key);
    }
    // Nothing installed matched (a lockfile whose requires are versions, npm v5): drop it.
    if (vuln.nodes.size === 0) {
      vulns.delete(name);
      continue;
    }
    for (const held of [...vuln.advisories]) {
      if (![...vuln.nodes].some((node) => held.testVersion(node.version))) vuln.deleteAdvisory(held);
    }
  }
  for (const vuln of vulns.values()) {
    for (const advisory of vuln.advisories) {
      const via = advisory.type === 'metavuln' ? vulns.get(advisory.dependency) : undefined;
      if (via) vuln.addVia(via);
    }
  }
  return { vulns, topVulns };
}

/** npm's `npm audit --json` vulnerabilities entry of a Vuln (for comparisons with npm's own report). */
export function npmReportEntry(vuln: Vuln, view: GraphView): Record<string, unknown> {
  const via = [...vuln.advisories]
    .map((advisory) =>
      advisory.type === 'metavuln'
        ? advisory.dependency
        : { source: advisory.source, name: advisory.name, dependency: advisory.dependency, title: advisory.title, url: advisory.url, severity: advisory.severity, range: advisory.range },
    )
    .sort((a, b) => {
      const x = String(typeof a === 'string' ? a : a.source);
      const y = String(typeof b === 'string' ? b : b.source);
      return x.localeCompare(y, 'en');
    });
  return {
    name: vuln.name,
    severity: vuln.severity,
    isDirect: [...vuln.nodes].some((node) => view.isDirect(node)),
    via,
    effects: [...vuln.effects].map((effect) => effect.name).sort((a, b) => a.localeCompare(b, 'en')),
    range: vuln.simpleRange,
    nodes: [...vuln.nodes].map((node) => node.location).sort((a, b) => a.localeCompare(b, 'en')),
    fixAvailable: vuln.fixAvailable,
  };
}
