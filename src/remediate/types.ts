// The shapes the planner, the verifier and the reporters share.

export const FIX_KINDS = ['refresh', 'parent-upgrade', 'scoped-override', 'global-override'] as const;
export type FixKind = (typeof FIX_KINDS)[number];

/** npm's `overrides` value: a version, or a parent's nested overrides. */
export type OverrideValue = string | { [name: string]: OverrideValue };

export interface DependencyEdit {
  field: string;
  name: string;
  spec: string;
}

/** What a candidate changes: package.json edits, and packages Arborist may move within their ranges. */
export interface Edits {
  /** Merged into package.json `overrides`. */
  overrides?: Record<string, OverrideValue>;
  /** A direct dependency's new spec, in the field that declares it. */
  dependency?: DependencyEdit;
  /** Several direct dependencies' new specs (the combined plan). */
  dependencies?: DependencyEdit[];
  /** Names Arborist re-resolves within the declared ranges (`npm update <names>`). */
  update?: string[];
}

export interface Candidate {
  kind: FixKind;
  /** The vulnerable package. */
  package: string;
  /** Its installed versions that advisories hit. */
  from: string[];
  /** The version the plan aims at; for a parent upgrade, the highest safe version the new parent accepts ('' when it no longer depends on the package). */
  to: string;
  /** parent-upgrade: the direct dependency moved, from → to; scoped-override: the parents scoped. */
  parent?: { name: string; from?: string; to?: string };
  parents?: string[];
  edits: Edits;
  /** The new version leaves a dependent's declared range (a compatibility risk). */
  leavesRange: boolean;
  /** The change crosses a major version (of the package, or of the upgraded parent). */
  major: boolean;
}

export interface Verification {
  /** `package advisoryId` keys: before but not after. */
  fixed: string[];
  /** Of the target package's advisories, still there after. */
  stillVulnerable: string[];
  /** After but not before (any package). */
  introduced: string[];
  /** Package names whose installed versions changed. */
  changed: string[];
  /** The re-resolution failed (ERESOLVE, no such version…): the message. */
  error?: string;
  /** Not re-resolved at all (the package manager is not installed, timed out, could not reach the registry): why. Nothing above is known. */
  unverified?: string;
}

export interface Suggestion extends Candidate {
  verification: Verification;
  /** Re-resolved (by Arborist, or the project's package manager) and re-audited; false: shown as a suggestion only, never offered as verified. */
  verified: boolean;
  /** (fixed − introduced) per package changed: osv-scanner's ranking score. */
  score: number;
  /** Verified, fixes something and introduces nothing: offered as-is. */
  offered: boolean;
}

/** One vulnerable package's suggestions (remediate.ts ranks them, combine.ts joins the offered ones). */
export interface PackageRemediation {
  package: string;
  versions: string[];
  advisories: string[];
  /** Ranked, best first; the offered ones first. */
  suggestions: Suggestion[];
}
