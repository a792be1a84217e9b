import type { AdvisoryRef, DepGraph, DepNode, Diagnostic, PackageRef, Severity } from '../model.js';
import type { NodePackument } from '../enrich/registry-packuments.js';
import type { EnrichedData, KeysAnswer } from '../enrich/stage.js';
import type { ManifestRequest, PackageManifest } from '../enrich/types.js';
import type { AdvisoryEvidence } from './advisories/evidence.js';
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
  /** The trusted registry configuration (which registry a name comes from: registryFor). */
  registries: RegistryConfig;
  /** Signing keys by registry, fetched before the packuments when a check declares `keys` (empty otherwise). */
  keys: ReadonlyMap<string, KeysAnswer>;
}

/**
 * Everything the enrich stage hands a check: the registry's data
 * (src/enrich/stage.ts) and what the engine's readers made of it.
 */
export interface CheckEnriched extends EnrichedData {
  /** What is inside each node the check selected (meta.enrich.contents): one download and one analysis per package for every check. */
  contents: ReadonlyMap<DepNode, ScanOutcome>;
  /** What the advisory sources say about the graph (meta.enrich.advisories), matched as npm audit matches; null when not declared. */
  advisories: AdvisoryEvidence | null;
  /** `code|location` of the packages whose packument could not be had: already diagnostics of their own, not to be repeated. */
  packumentMisses: ReadonlySet<string>;
  /** The manifest of each node the check asked about (meta.enrich.manifests); null when it could not be had (the source's diagnostic says why). */
  manifests: ReadonlyMap<DepNode, PackageManifest | null>;
  /**
   * Why a manifest that is missing was not asked of the registry: 'run', this
   * run makes no registry request; 'unchanged', a diff asks only about the
   * packages its change touched; false, it was asked (and could not be had).
   */
  manifestNotFetched(node: DepNode): 'run' | 'unchanged' | false;
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
   * 'manifests' says its manifests (meta.enrich.manifests) may come from the
   * registry; 'registry' says the
   * check's enriched data comes from the registry (what makes the run go
   * online, and a diff narrow it); 'full-packuments' (with 'registry') says
   * it reads the full packument of every package it judges, so the client
   * asks for the full document from the first request on: one request per
   * package, not an abbreviated one for the other checks and a full one for
   * this; 'contents' says it reads what is inside packages
   * (meta.enrich.contents); 'local-manifests': manifests only as far as they
   * can be had without a request (node_modules, npm's tarball and metadata
   * caches), unless the run asks the registry anyway for another check: so a
   * run of the checks that need no registry makes no request at all.
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
    /**
     * The signing keys (`-/npm/v1/keys`) of every registry a package the
     * check judges (and `packuments.select` keeps) comes from, fetched before
     * the packuments so that `full` can read them (`run.keys`).
     */
    keys?: boolean;
    /**
     * The package.json inside the published tarball of the nodes `select`
     * names, given their packument (fetched first): license's fallback when
     * neither the lockfile nor the registry records a licence.
     */
    tarballManifests?: { select(found: NodePackument, node: DepNode, options: Record<string, unknown>): boolean };
    /**
     * What is inside each package the check judges and `select` keeps (all
     * by default): the capability analysis of the installed copy or the
     * published tarball, read once for every check that declares it
     * (src/checks/capabilities/scan.ts) and kept in the capability cache.
     */
    contents?: { select?(node: DepNode, options: Record<string, unknown>): boolean };
    /**
     * Package manifests (node_modules, npm's caches, the registry as `needs`
     * allows) of the nodes `select` asks about, with how much the check
     * depends on each (ManifestRequest.required); null: not asked.
     */
    manifests?: { select(node: DepNode, graph: DepGraph, options: Record<string, unknown>): ManifestRequest | null };
    /**
     * The advisories of the packages the run audits (context.scope.audits),
     * from the source the check's options choose, matched to the graph with
     * npm audit's semantics, metavulnerabilities included
     * (src/checks/advisories/gather.ts).
     */
    advisories?: boolean;
  };
  /**
   * false: off unless a preset, the user's config or --only turns it on.
   * For checks that ask the registry about every package (release-age,
   * deprecated, provenance), so that no run gains network traffic, or a new
   * way to fail closed, without asking for it. Default true.
   */
  enabledByDefault?: boolean;
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
  /**
   * What the enrich stage fetched for this check (meta.enrich), before any
   * check ran: a check reads registry data, package contents and advisories
   * only from here, never from a client. Empty where it declared nothing or
   * the data could not be had (the miss is the engine's diagnostic).
   */
  enriched: CheckEnriched;
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
