// The diff model: what a change (a pull request) does to a project's
// dependency tree, its findings and its package.json. `diff` in the JSON
// output (contract: later versions only add keys). Built by src/commands/diff/,
// read by the diff renderers beside this file (render comes before commands).

import type { AuditResult, AuditScope, Finding, Severity, SourceType } from '../model.js';

/** One side of the comparison. */
export interface DiffSide {
  /** The git ref as given (`origin/main`), or null for a folder or the working tree. */
  ref: string | null;
  /** The full commit the ref named, or null. */
  commit: string | null;
  /** The project folder as the user named it (never a temporary folder). */
  path: string;
  project: AuditResult['project'];
  /** Counts of this side's findings; with `scope`, the registry-backed checks' findings counted are those about the packages the change touched. */
  summary: AuditResult['summary'];
  /** The registry-backed checks judged only the packages the change touched (AuditResult.scope); absent when none ran. */
  scope?: AuditScope;
}

/** How a package is reached, the way npm's --omit names it. */
export type DependencyKind = 'prod' | 'dev' | 'optional' | 'peer';

interface PackageFacts {
  name: string;
  /** A dependency of the project itself (the root or a workspace), not only of another package. */
  direct: boolean;
  kind: DependencyKind;
  source: SourceType;
  /**
   * Up to three shortest dependency chains from the root, each step
   * `name@version` (the side that has the package: head for added and
   * changed, base for removed).
   */
  paths: string[][];
}

export interface AddedPackage extends PackageFacts {
  version: string;
  /** The lockfile says it runs install scripts. */
  hasInstallScript: boolean;
}

export interface RemovedPackage extends PackageFacts {
  version: string;
}

export interface ChangedPackage extends PackageFacts {
  /** Releases only base has (a git or tarball dependency shows its resolved source after the version). */
  from: string[];
  /** Releases only head has. */
  to: string[];
  /** By the highest of `to` against the highest of `from`; `changed` when that cannot tell (same version from another source, not semver). */
  change: 'upgraded' | 'downgraded' | 'changed';
  /** A version head has runs install scripts. */
  hasInstallScript: boolean;
}

/** A package version that runs install scripts in head and did not in base: new code at install time. */
export interface NewInstallScript {
  name: string;
  version: string;
  direct: boolean;
  kind: DependencyKind;
  /** From the install-scripts check's inventory when it ran: approved (true), denied (false), neither (null). */
  approved: boolean | null;
  /** Lifecycle events, when the check could read the scripts. */
  events: string[] | null;
  paths: string[][];
}

export type ManifestChangeKind =
  | 'dependency-added'
  | 'spec-loosened'
  | 'spec-changed'
  | 'override-added'
  | 'override-changed'
  | 'override-removed'
  | 'approval-added'
  | 'engines-changed'
  | 'lifecycle-script-changed'
  | 'config-changed';

/** A change to package.json (or depguard's config) that a security review should see. */
export interface ManifestChange {
  kind: ManifestChangeKind;
  /** The package.json: `package.json` or `packages/a/package.json`; or the config file. */
  file: string;
  /** The field, as a path: `dependencies`, `overrides`, `allowScripts`, `engines`, `scripts`, `pnpm.onlyBuiltDependencies`, `waivers`… */
  field: string;
  /** The dependency, override key (`a > b`), approval key, engine or script name. */
  key: string;
  /** Before and after as written (JSON text for objects), null when absent. */
  from: string | null;
  to: string | null;
  /** For specs: how loose each side is (`exact` < `range` < `open` < `any`), when it applies. */
  looseness?: { from: Looseness | null; to: Looseness };
}

/** How many versions a spec admits, coarsely: see src/commands/diff/specs.ts. */
export type Looseness = 'exact' | 'range' | 'open' | 'any';

export interface DiffSummary {
  added: number;
  removed: number;
  upgraded: number;
  downgraded: number;
  changed: number;
  /** New findings by severity (unwaived) and how many new ones are waived. */
  newFindings: Record<Severity, number> & { waived: number };
  resolvedFindings: number;
  installScripts: number;
  manifestChanges: number;
}

export interface DiffReport {
  base: DiffSide;
  head: DiffSide;
  summary: DiffSummary;
  added: AddedPackage[];
  removed: RemovedPackage[];
  changed: ChangedPackage[];
  /** Findings in head whose identity (src/checks/identity.ts) no base finding has, in the `check` shape. */
  newFindings: Finding[];
  /** Findings in base whose identity no head finding has. */
  resolvedFindings: Finding[];
  installScripts: NewInstallScript[];
  manifest: ManifestChange[];
}

/** What `depguard diff --format json` prints: head's check document plus `diff`. */
export interface DiffResult extends AuditResult {
  diff: DiffReport;
}
