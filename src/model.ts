// depguard's own domain model. Checks and reporters only ever see these
// types, never Arborist objects, so that tests can build graphs in memory and
// an Arborist upgrade touches one module (src/load/convert.ts).

export const SEVERITIES = ['info', 'low', 'moderate', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function isSeverity(value: unknown): value is Severity {
  return typeof value === 'string' && (SEVERITIES as readonly string[]).includes(value);
}

/** The dependency types of package.json, as Arborist's Edge names them. */
export type EdgeType = 'prod' | 'dev' | 'optional' | 'peer' | 'peerOptional' | 'workspace';

/** How a package reached the tree, derived from its lockfile entry (npm-package-arg types). */
export type SourceType = 'root' | 'registry' | 'git' | 'remote' | 'file' | 'directory' | 'link' | 'workspace' | 'unknown';

export interface DepEdge {
  /** The name the dependent requires (the folder name; for aliases the alias). */
  name: string;
  /** The spec as written in the dependent's manifest. */
  spec: string;
  type: EdgeType;
  /** Location of the node that satisfies the edge, or null when missing. */
  to: string | null;
  /** False when the node found does not satisfy the spec (or is missing). */
  valid: boolean;
  missing: boolean;
}

export interface DepNode {
  /** Location relative to the project root ('' for the root), e.g. node_modules/a/node_modules/b. */
  location: string;
  /** The name it is installed under: the last node_modules segment of its location. */
  name: string;
  /**
   * The registry identity: name and version taken from the lockfile key, the
   * resolved URL and the dependent's alias spec — never from the package's own
   * package.json, which a tarball controls.
   */
  packageName: string;
  version: string;
  /**
   * The `version` the lockfile entry itself records, present only when it
   * differs from `version` (which a registry package takes from its resolved
   * URL): a sign of a hand-edited entry.
   */
  entryVersion?: string;
  resolved: string | null;
  integrity: string | null;
  /**
   * A package manager's own checksum that is not a tarball SRI, so not in
   * `integrity`: yarn berry's `<cacheKey>/<sha512 hex>` of the zip in its cache.
   */
  checksum?: string;
  source: SourceType;
  dev: boolean;
  optional: boolean;
  devOptional: boolean;
  peer: boolean;
  inBundle: boolean;
  /** True when the lockfile (or manifest) says the package runs install scripts. */
  hasInstallScript: boolean;
  /** The lockfile recorded hasInstallScript explicitly (v2+); false for v1 lockfiles. */
  installScriptKnown: boolean;
  engines: Record<string, string> | null;
  /** The declared licence as the lockfile (or installed package.json) records it: `license`, or an older `licenses` array joined with OR (see util/declared-license.ts). */
  license: string | null;
  isWorkspace: boolean;
  /** For links: the location of the target folder. */
  linkTarget: string | null;
  edgesOut: DepEdge[];
  /** Locations of the nodes that depend on this one. */
  dependents: string[];
}

export interface WorkspaceInfo {
  name: string;
  /** Folder relative to the project root, e.g. packages/a. */
  location: string;
}

export interface LockfileInfo {
  /** Path relative to the project root: package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml, yarn.lock, bun.lock. */
  file: string;
  lockfileVersion: number;
  /** Entry locations as written in the lockfile (v2/v3 `packages` keys, v1 nested keys mapped to locations). */
  entries: Set<string>;
  /**
   * What the lockfile records as declared by the root ('') and by each folder
   * entry outside node_modules (workspaces, file: targets): v2/v3 only, as v1
   * does not record the root's own dependencies. Absent for v1 lockfiles.
   */
  declared?: Map<string, DeclaredDependencies>;
  /** The package manager whose lockfile this is; absent means npm (package-lock.json, npm-shrinkwrap.json). */
  manager?: 'npm' | 'pnpm' | 'yarn' | 'bun';
  /** 1-based line of each entry by node location, for formats whose keys are not locations (pnpm, yarn, bun). */
  lines?: Map<string, number>;
  /** Named catalogs (`catalog:` is 'default', `catalog:name` is name): dependency name → the spec it stands for. */
  catalogs?: Record<string, Record<string, string>>;
  /**
   * What the lockfile records besides packages that changes what installs:
   * pnpm `overrides`, `patchedDependencies` (keys), `packageExtensionsChecksum`.
   */
  settings?: Record<string, unknown>;
  /** The catalogs the workspace file declares now (pnpm-workspace.yaml `catalog`/`catalogs`), which the next install resolves against. */
  workspaceCatalogs?: Record<string, Record<string, string>>;
}

/** Dependency field (dependencies, devDependencies, optionalDependencies, peerDependencies) -> name -> spec. */
export type DeclaredDependencies = Partial<Record<'dependencies' | 'devDependencies' | 'optionalDependencies' | 'peerDependencies', Record<string, string>>>;

export interface DepGraph {
  /** Absolute path of the project folder. */
  projectPath: string;
  root: DepNode;
  /** Every node by location, root included. */
  nodes: Map<string, DepNode>;
  workspaces: WorkspaceInfo[];
  /** Link locations (workspace and file: links in node_modules) to their target's location. */
  links: Map<string, string>;
  lockfile: LockfileInfo | null;
  /** How the graph was loaded. */
  loadedFrom: 'lockfile' | 'node_modules' | 'package.json';
  /** The root package.json as parsed (prototype-safe). */
  manifest: Record<string, unknown>;
  /** package.json of each workspace by location. */
  workspaceManifests: Map<string, Record<string, unknown>>;
  /** The package manager package.json declares (`packageManager`, `devEngines.packageManager`), when it names one. */
  declaredManager?: { manager: 'npm' | 'pnpm' | 'yarn' | 'bun'; field: string; value: string } | null;
}

export interface PackageRef {
  name: string;
  version: string;
  location: string;
}

export interface AdvisoryRef {
  id: string;
  aliases: string[];
  url: string | null;
  title: string;
  range: string;
  source: string;
}

/** A waiver's fields: what the config declares (policy/load.ts Waiver adds where) and what a waived finding carries. */
export interface WaiverRef {
  id: string;
  package?: string;
  path?: string;
  reason: string;
  expires: string;
  /** When a VEX statement waived it: the document, the statement's status and justification. */
  vex?: { file: string; status: 'not_affected' | 'fixed'; justification: string | null };
}

export interface Finding {
  check: string;
  rule: string;
  severity: Severity;
  package: PackageRef | null;
  /**
   * Every location of `package` this finding covers, sorted, when it covers
   * more than one copy (src/policy/group.ts); `package.location` is the first.
   */
  locations?: string[];
  paths: string[][];
  message: string;
  evidence: Record<string, unknown>;
  advisory?: AdvisoryRef;
  fix?: Record<string, unknown>;
  waived?: WaiverRef;
}

export interface Diagnostic {
  level: 'warning' | 'error';
  code: string;
  message: string;
  package?: PackageRef;
  file?: string;
  /** The check that raised it, when one did. */
  check?: string;
  /**
   * The check could not judge something it needed to (a package it could not
   * analyse): the run fails closed, exit 2, unless --allow-incomplete.
   */
  incomplete?: boolean;
}

export interface AuditResult {
  schemaVersion: 1;
  tool: { name: string; version: string };
  project: { name: string | null; version: string | null; path: string; packageCount: number };
  summary: Record<Severity, number> & { waived: number };
  findings: Finding[];
  diagnostics: Diagnostic[];
  /** Check-owned data by check id (e.g. `install-scripts`: `{ packages: [...] }`), present when a check gave some. */
  checks?: Record<string, Record<string, unknown>>;
  /**
   * Checks of the default gate (the recommended preset's) that did not run,
   * and why (`--skip`, `--only`, off in the config): present when there are
   * any, so a passing run never hides what it did not look at.
   */
  skipped?: SkippedCheck[];
  /**
   * Present when the registry-backed checks judged only some packages (each
   * side of a diff: those its change touched). `findings`, `summary` and those
   * checks' `checks` data then cover only them; their findings about the
   * other packages would be the same on both sides.
   */
  scope?: AuditScope;
}

export interface AuditScope {
  /** What was judged: `changed`, the packages a change adds, removes or changes. */
  judged: 'changed';
  /** The registry-backed checks so narrowed (the other checks judged every package). */
  checks: string[];
  /** How many packages of this side they judged. */
  packages: number;
}

export interface SkippedCheck {
  check: string;
  /** `--skip`, `--only`, or `off in <config file>` / `off in the <preset> policy`. */
  reason: string;
}

export function packageRef(node: DepNode): PackageRef {
  return { name: node.packageName, version: node.version, location: node.location };
}
