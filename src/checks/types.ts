import type { AdvisoryRef, DepGraph, DepNode, Diagnostic, PackageRef, Severity } from '../model.js';
import type { RegistryClient } from '../enrich/registry-client.js';
import type { NodePackument, RegistryPackuments } from '../enrich/registry-packuments.js';
import type { EnrichedData } from '../enrich/stage.js';
import type { ManifestSource } from '../enrich/types.js';
import type { ScanOutcome } from './capabilities/types.js';
import type { NpmSettings, RegistryConfig } from '../enrich/npm-config.js';
import type { JudgedScope } from './scope.js';

/** A JSON Schema (draft 2020-12 subset understood by Ajv) for a check's options. */
export type OptionsSchema = Record<string, unknown>;

/**
 * A check's options as its run() receives them. `Options` is derived from the
 * check's options schema (`FromSchema<typeof optionsSchema>` from
 * json-schema-to-ts, the schema written `as const satisfies JSONSchema`), so
 * that the schema the config is validated against is the one definition. The
 * engine merges the config's options over `defaultOptions`: the keys the
 * defaults hold are always present.
 */
export type WithDefaults<Options, Defaults> = Omit<Options, keyof Defaults> & {
  [Key in keyof Defaults & keyof Options]-?: Exclude<Options[Key], undefined>;
};

export interface RuleMeta {
  description: string;
  /** Severity in the `recommended` policy unless the policy says otherwise. */
  severity: Severity;
  /** Message template; `{key}` is replaced by the report's data. Ids, not prose, are the contract. */
  message: string;
  /**
   * One cause, one finding: findings of this rule with equal values of the
   * `by` evidence fields become one project-level finding (src/policy/group.ts)
   * whose message is `message` with `{count}`, `{packages}` (the first few
   * name@version), `{s}` (plural), `{copies}` and the `by` fields.
   */
  group?: { by: string[]; message: string };
}

/** What the enrich stage tells a check's declarations besides its options. */
export interface EnrichRun {
  /** The audit instant in ms (CheckContext.now). */
  now: number;
  npmSettings: NpmSettings | null;
}

export interface CheckMeta {
  /** Equal to the file name in src/checks/. */
  id: string;
  description: string;
  /** Rules by short name; the full rule id is `<check id>/<short name>`. */
  rules: Record<string, RuleMeta>;
  optionsSchema: OptionsSchema;
  defaultOptions: Record<string, unknown>;
  /**
   * What the check needs beyond the graph, so the engine builds only that:
   * 'manifests' gives the context a ManifestSource; 'registry' gives it the
   * shared RegistryClient (packuments, tarballs) for checks that need more;
   * 'full-packuments' (with 'registry') says it reads the full packument of
   * every package it judges, so the client asks for the full document from
   * the first request on: one request per package, not an abbreviated one
   * for the other checks and a full one for this; 'contents' gives it the
   * run's one reader of package contents (PackageContents), so checks that
   * read what is inside packages share one download and one analysis;
   * 'local-manifests': manifests only as far as they can be had without a
   * request (node_modules, npm's tarball and metadata caches), unless the run
   * asks the registry anyway for another check: so a run of the checks that
   * need no registry makes no request at all.
   */
  needs: Array<'manifests' | 'local-manifests' | 'registry' | 'full-packuments' | 'contents'>;
  /**
   * Registry data the engine fetches before any check runs (the enrich
   * stage, src/enrich/stage.ts) and hands over as `context.enriched`:
   * `packuments`, the packument of every registry package the run judges
   * (context.scope) that `select` keeps, given the check's options (default:
   * all), abbreviated unless `full`; `full` as a function: abbreviated first,
   * then the full document of the packages it says need it (publish times of
   * the recently modified). A check that reads only this needs no client: it
   * is a function of the graph, the enriched data and its options. Needs
   * 'registry' too (what makes the run go online).
   */
  enrich?: {
    packuments?: {
      full?: boolean | ((found: NodePackument, node: DepNode, options: Record<string, unknown>, run: EnrichRun) => boolean);
      select?(node: DepNode, options: Record<string, unknown>, run: EnrichRun): boolean;
    };
  };
  /**
   * false: off unless a preset, the user's config or --only turns it on.
   * For checks that ask the registry about every package (release-age,
   * deprecated, provenance), so that no run gains network traffic, or a new
   * way to fail closed, without asking for it. Default true.
   */
  enabledByDefault?: boolean;
}

/**
 * What is inside each package, read once per run for every check that asks:
 * the installed copy or the published tarball, analysed for capabilities and
 * kept in the capability cache by integrity (see src/checks/capabilities/scan.ts).
 */
export interface PackageContents {
  scan(node: DepNode): Promise<ScanOutcome>;
}

export interface Report {
  /** Short rule name (a key of meta.rules). */
  rule: string;
  /** The package concerned, or null for a project-level finding. */
  node: DepNode | null;
  /** Values for the message template. */
  data: Record<string, string | number>;
  evidence: Record<string, unknown>;
  /** Dependency paths to show instead of the ones computed from the graph (e.g. a workspace's own edge). */
  paths?: string[][];
  /**
   * The package to name when there is no node (a declared dependency missing
   * from the lockfile): version and location are then empty strings.
   */
  package?: PackageRef;
  /** A dependency type the finding is about, so `--omit` can drop it (pinning of a devDependency). */
  via?: 'dev' | 'optional' | 'peer';
  /** This finding's own severity (an advisory's rating), used unless the policy sets one for the rule or the check. */
  severity?: Severity;
  /**
   * A ceiling on whatever severity the policy gives, for context the policy
   * cannot see (a package reachable only through devDependencies).
   */
  maxSeverity?: Severity;
  /** The advisory a finding reports (the `advisory` key of the finding; waivers match its id and aliases). */
  advisory?: AdvisoryRef;
  /** Whether and how the finding can be fixed (the `fix` key of the finding). */
  fix?: Record<string, unknown>;
}

export interface CheckContext<Options> {
  graph: DepGraph;
  options: Options;
  registries: RegistryConfig;
  /**
   * Hosts (`host[:port]`) the trusted configuration allows: the registries'
   * (user/global npm config, env, --registry) and the lockfile check's
   * allowedHosts. Never widened by the project's own .npmrc.
   */
  trustedHosts: ReadonlySet<string>;
  /** Today as YYYY-MM-DD (--date, config `date`, else the current UTC date): reports are reproducible. */
  today: string;
  /**
   * The audit instant in ms, for sub-day ages: the current time when no date
   * was given (--date, config `date`), else 00:00 UTC of `today`.
   */
  now: number;
  /** npm settings from the user's npm config (min-release-age…); null when npm's config was not read. */
  npmSettings: NpmSettings | null;
  /**
   * npm's cache folder, under which `depguard db update` keeps its data
   * (`_depguard/…`) and checks keep what they fetched once; null when the
   * caller gave none (then such data is simply not there).
   */
  cacheDir: string | null;
  /** Package manifests, when the check declared `needs: ['manifests']`; null otherwise. */
  manifests: ManifestSource | null;
  /** The registry client, when the check declared `needs: ['registry']`; null otherwise. */
  registry: RegistryClient | null;
  /**
   * Packuments per graph node over the same client, when the check declared
   * `needs: ['registry']`: misses are recorded on the package and decide
   * the fail-closed exit like missing manifests do.
   */
  packuments: RegistryPackuments | null;
  /** Package contents, when the check declared `needs: ['contents']`; null otherwise. */
  contents: PackageContents | null;
  /** What the enrich stage fetched for this check (meta.enrich); empty when it declared nothing or the run is offline-only. */
  enriched: EnrichedData;
  /**
   * Which packages a registry-backed check (one that needs registry data or
   * contents) judges: every one in `check`, only those the change touched in
   * `diff` (src/checks/scope.ts). Such a check reports nothing about a
   * package scope.judges() refuses, and asks the registry nothing about it.
   */
  scope: JudgedScope;
  report(report: Report): void;
  /** Something the check could not judge (an unparseable spec): kept as a diagnostic, the run goes on. */
  diagnostic(diagnostic: Diagnostic): void;
  /**
   * Check-owned data for machine-readable output (e.g. install-scripts'
   * inventory): kept under `checks[<check id>][key]` of the result.
   */
  data(key: string, value: unknown): void;
}

export interface Check<Options = Record<string, unknown>> {
  meta: CheckMeta;
  run(context: CheckContext<Options>): void | Promise<void>;
}

/** Whether a check asks the registry or reads package contents: the checks a diff's scope narrows. */
export function isRegistryBacked(meta: CheckMeta): boolean {
  return meta.needs.includes('registry') || meta.needs.includes('contents') || meta.needs.includes('full-packuments');
}

export function defineCheck<Options>(check: Check<Options>): Check<Options> {
  return check;
}
