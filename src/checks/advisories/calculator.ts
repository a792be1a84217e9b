// npm's own metavulnerability arithmetic (@npmcli/metavuln-calculator's
// Advisory class, what Arborist's `npm audit` runs), fed with packuments from
// depguard's registry client instead of pacote, and without npm's cacache
// layer (each run computes from the current packuments). A dependent's
// version is vulnerable when every version its range for the dependency
// allows is vulnerable (or none is published), or when it bundles the
// dependency at an intersecting range.

import { createRequire } from 'node:module';
import type { Advisory } from '../../enrich/advisories/types.js';

const require = createRequire(import.meta.url);

/** A packument as npm's calculator and npm-pick-manifest read it (abbreviated form suffices). */
export interface CalcPackument {
  name: string;
  'dist-tags': Record<string, string>;
  versions: Record<string, CalcManifest>;
}

export interface CalcManifest {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  bundleDependencies?: string[];
  deprecated?: string;
  engines?: Record<string, string>;
}

/** The bulk-endpoint shape the calculator takes as an advisory's source. */
export interface BulkSource {
  id: string;
  name: string;
  url: string | null;
  title: string;
  severity: string;
  vulnerable_versions: string;
}

/** @npmcli/metavuln-calculator's Advisory (CommonJS, untyped): the parts depguard reads. */
export interface CalcAdvisory {
  readonly name: string;
  /** The package whose advisory this is: `name` for an advisory, the vulnerable dependency for a metavuln. */
  readonly dependency: string;
  readonly type: 'advisory' | 'metavuln';
  readonly id: string;
  readonly source: string;
  readonly title: string;
  readonly url: string | null;
  readonly severity: string;
  /** The advisory's range, or the computed range of a dependent's vulnerable versions. */
  readonly range: string;
  readonly versions: string[];
  readonly vulnerableVersions: string[];
  readonly packument: CalcPackument | null;
  load(cached: object, packument: CalcPackument): CalcAdvisory;
  testVersion(version: string, spec?: string | null): boolean;
  testSpec(spec: string): boolean;
}

type AdvisoryClass = new (name: string, source: BulkSource | CalcAdvisory, options?: object) => CalcAdvisory;
const AdvisoryImpl = require('@npmcli/metavuln-calculator/lib/advisory.js') as AdvisoryClass;

export type PackumentLoader = (name: string) => Promise<CalcPackument>;

export function emptyPackument(name: string): CalcPackument {
  return { name, 'dist-tags': {}, versions: {} };
}

/**
 * Arborist's Calculator, minus pacote and cacache: one calculation per
 * (package, source advisory), memoised, each remembering the published
 * advisory at the root of its chain (a metavuln of a metavuln still names the
 * advisory that started it, so a waiver of that id covers the whole chain).
 */
export class Calculator {
  readonly #load: PackumentLoader;
  readonly #memo = new Map<string, Promise<CalcAdvisory>>();
  readonly #packuments = new Map<string, Promise<CalcPackument>>();
  readonly #roots = new Map<CalcAdvisory, Advisory>();
  /**
   * Calculations are memoised per (package, source object): npm keys them by
   * the source's id, but one GHSA can arrive as several bulk entries (one per
   * vulnerable range) that share it once normalised.
   */
  readonly #sourceKeys = new WeakMap<object, number>();
  #nextSourceKey = 0;

  constructor(load: PackumentLoader) {
    this.#load = load;
  }

  /** The published advisory behind a calculation. */
  root(advisory: CalcAdvisory): Advisory {
    return this.#roots.get(advisory)!;
  }

  packument(name: string): Promise<CalcPackument> {
    let loading = this.#packuments.get(name);
    if (!loading) {
      loading = this.#load(name);
      this.#packuments.set(name, loading);
    }
    return loading;
  }

  /** A published advisory about its own package. */
  advisory(advisory: Advisory): Promise<CalcAdvisory> {
    const source: BulkSource = { id: advisory.id, name: advisory.package, url: advisory.url, title: advisory.title, severity: advisory.severity, vulnerable_versions: advisory.range };
    return this.#calculate(advisory.package, source, advisory, advisory);
  }

  /** What a vulnerability of a dependency means for a package that depends on it. */
  metavuln(dependent: string, source: CalcAdvisory): Promise<CalcAdvisory> {
    return this.#calculate(dependent, source, this.root(source), source);
  }

  #calculate(name: string, source: BulkSource | CalcAdvisory, root: Advisory, identity: object): Promise<CalcAdvisory> {
    let sourceKey = this.#sourceKeys.get(identity);
    if (sourceKey === undefined) {
      sourceKey = this.#nextSourceKey++;
      this.#sourceKeys.set(identity, sourceKey);
    }
    const key = `${name}\u0000${sourceKey}`;
    let calculating = this.#memo.get(key);
    if (!calculating) {
      calculating = this.packument(name).then((packument) => {
        const advisory = new AdvisoryImpl(name, source);
        this.#roots.set(advisory, root);
        // No cached calculation: every version is tested against this packument.
        return advisory.load({}, packument);
      });
      this.#memo.set(key, calculating);
    }
    return calculating;
  }
}
