import type { ManifestFields } from '../manifest-confusion/fields.js';

// What the capability analyser finds in a package: per capability, how many
// places show it and the first few with file:line. This is also the shape
// kept in the cache (one record per tarball integrity), so it holds only
// plain JSON.

export const CAPABILITIES = ['network', 'shell', 'filesystem', 'dynamic-code', 'environment', 'native', 'install-time', 'obfuscation'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** How a place was found: a module import, a call, a member or global use, a file in the package, a package.json field. */
export type EvidenceKind = 'import' | 'call' | 'member' | 'global' | 'file' | 'script' | 'manifest' | 'pattern';

export interface Evidence {
  /** Path inside the package (`lib/index.js`). */
  file: string;
  /** 1-based line; 0 for a whole file (a binary). */
  line: number;
  kind: EvidenceKind;
  /** The import, call or expression as written (whitespace collapsed, at most ~100 characters). */
  what: string;
  /** The module it comes from, when it comes from one (`child_process`, `fs`, `axios`). */
  module?: string;
  /** shell: the call runs a shell (exec, execSync, `shell: true`). */
  shell?: boolean;
  /** filesystem: what the use does. */
  access?: 'read' | 'write';
  /** environment: the variable read, `*` for the whole of process.env, `?` for a computed key. */
  key?: string;
  /** dynamic-code: what a computed require/import folds to, when its parts are constants. */
  resolves?: string;
  /** install-time: what the script invokes (node-gyp, curl, node -e…), as the install-scripts check reads it. */
  invokes?: string[];
  /**
   * Known but weak: fs reads, an fs import with no write, constant code given to
   * Function or eval, a computed require inside the package, a long line without
   * dynamic code, anything in a dev-only file. Listed in the inventory; a rule fires only
   * when a capability has at least one strong place.
   */
  lowSignal?: true;
  /**
   * In a test, benchmark, example or build-tool file that no other file of the
   * package requires: shipped, but not run by depending on the package (also lowSignal).
   */
  devOnly?: true;
}

export interface CapabilitySummary {
  /** Places found (after removing duplicates of the same file, line and meaning). */
  count: number;
  /** Places that are not lowSignal. */
  strong: number;
  /** The first places, strong ones first, then by file and line. */
  evidence: Evidence[];
  /** shell: some call runs a shell. */
  shell?: boolean;
  /** filesystem: the kinds of access seen. */
  access?: Array<'read' | 'write'>;
  /** environment: variables read, sorted. */
  keys?: string[];
}

export interface ParseFailure {
  file: string;
  line: number;
  message: string;
}

/** One package's analysis: what the cache keeps per integrity. */
export interface PackageAnalysis {
  capabilities: Partial<Record<Capability, CapabilitySummary>>;
  files: {
    /** Files in the package. */
    total: number;
    /** JavaScript files parsed. */
    parsed: number;
    /** JavaScript files that no parser mode accepted. */
    failed: number;
    /** JavaScript files left out because they exceed the per-file size limit. */
    skipped: number;
  };
  /** The first parse failures (at most 10). */
  parseErrors: ParseFailure[];
  /** Files left out for size (at most 10). */
  skippedFiles: string[];
  /**
   * The package's own package.json, the fields manifest-confusion compares
   * with the registry's manifest (null: none, or not a JSON object). Kept
   * here so a warm run compares without reading the tarball again.
   */
  manifest?: ManifestFields | null;
}

/** Evidence found in one file, with the capability it shows. */
export type FileEvidence = Evidence & { capability: Capability };

/** What reading one package's contents gave: its analysis, or why it could not be had. */
export type ScanOutcome =
  | { status: 'analysed'; from: 'registry' | 'node_modules'; cached: boolean; integrity: string | null; analysis: PackageAnalysis }
  | {
      status: 'unavailable';
      code: string;
      message: string;
      /** False when asking again could not help: packages depguard never fetches, names it cannot look up. */
      blocking: boolean;
      /** The URL concerned (no credentials), when a registry request failed. */
      url?: string | null;
    };
