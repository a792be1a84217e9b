// Which high-impact npm package a name imitates, if any: one edit (a letter
// added, dropped or replaced), two neighbouring letters swapped, a different
// separator (`-`, `_`, `.` or none: `cross-env` / `crossenv`) or the same
// package name under another scope (`@typescript-eslint/parser` /
// `@typescript-eslnt/parser` is an edit; `@evil/parser` a scope swap).
//
// The list of high-impact packages is a maintained dataset (npm-high-impact:
// packages with many dependents or downloads), read once per process. Edits
// are found by looking up every variant of the judged name one step away
// (never by scanning the list), then confirmed with the exact distance.

import { npmHighImpact } from 'npm-high-impact';

export type LookalikeKind = 'edit' | 'transposition' | 'separator' | 'scope';

export interface Lookalike {
  /** The high-impact package the name most likely meant. */
  intended: string;
  kind: LookalikeKind;
}

/** Names shorter than this (without their scope) are not judged by edits: `ms`, `qs`, `ws`, `nx` are all one letter apart. */
export const MIN_EDIT_LENGTH = 4;
/** A scope swap is judged only for names at least this long (`@x/core`, `@x/utils` are everywhere). */
const MIN_SCOPE_SWAP_LENGTH = 6;

function bare(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

function scopeOf(name: string): string | null {
  return name.startsWith('@') && name.includes('/') ? name.slice(0, name.indexOf('/')) : null;
}

/** The name without separators: `cross-env`, `cross_env`, `cross.env` and `crossenv` are one key. */
function separatorKey(name: string): string {
  const scope = scopeOf(name);
  const strip = (part: string): string => part.replace(/[-_.]/g, '');
  return scope ? `${strip(scope)}/${strip(bare(name))}` : strip(name);
}

/**
 * 'edit' or 'transposition' when a and b are exactly one such step apart
 * (optimal string alignment distance 1), else null.
 */
export function oneStep(a: string, b: string): 'edit' | 'transposition' | null {
  if (a === b) return null;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return null;
  if (la === lb) {
    const diffs: number[] = [];
    for (let i = 0; i < la && diffs.length <= 2; i++) if (a[i] !== b[i]) diffs.push(i);
    if (diffs.length === 1) return 'edit';
    if (diffs.length === 2 && diffs[1] === diffs[0]! + 1 && a[diffs[0]!] === b[diffs[1]!] && a[diffs[1]!] === b[diffs[0]!]) return 'transposition';
    return null;
  }
  const [short, long] = la < lb ? [a, b] : [b, a];
  let i = 0;
  while (i < short.length && short[i] === long[i]) i++;
  return short.slice(i) === long.slice(i + 1) ? 'edit' : null;
}

export class HighImpact {
  readonly #names: ReadonlySet<string>;
  /** Rank in the dataset (most depended-upon first): among several candidates, the better-known one is meant. */
  readonly #rank = new Map<string, number>();
  readonly #alphabet: string[];
  // Built on first use: most runs judge a few dozen direct dependencies and never need them.
  #bySeparators: Map<string, string[]> | null = null;
  #byBareName: Map<string, string[]> | null = null;
  /** Answers by name: a diff judges every package of both sides, mostly the same names (a few hundred µs each). */
  readonly #verdicts = new Map<string, Lookalike | null>();

  constructor(names: readonly string[]) {
    this.#names = new Set(names);
    const alphabet = new Set<string>();
    names.forEach((name, index) => {
      if (!this.#rank.has(name)) this.#rank.set(name, index);
      for (const char of bare(name)) alphabet.add(char);
    });
    this.#alphabet = [...alphabet];
  }

  get size(): number {
    return this.#names.size;
  }

  has(name: string): boolean {
    return this.#names.has(name);
  }

  /** The high-impact package `name` imitates, or null (also null for a high-impact name itself). */
  lookalike(name: string): Lookalike | null {
    let verdict = this.#verdicts.get(name);
    if (verdict === undefined) {
      verdict = this.#judge(name);
      this.#verdicts.set(name, verdict);
    }
    return verdict;
  }

  #judge(name: string): Lookalike | null {
    if (this.#names.has(name)) return null;
    const found: Lookalike[] = [];
    for (const candidate of this.#separators().get(separatorKey(name)) ?? []) found.push({ intended: candidate, kind: 'separator' });
    if (bare(name).length >= MIN_EDIT_LENGTH) {
      for (const candidate of this.#oneStepAway(name)) {
        const kind = oneStep(name, candidate);
        if (kind && bare(candidate).length >= MIN_EDIT_LENGTH && !versionSuffix(name, candidate)) found.push({ intended: candidate, kind });
      }
    }
    if (found.length === 0) {
      const swapped = this.#scopeSwap(name);
      if (swapped) found.push({ intended: swapped, kind: 'scope' });
    }
    if (found.length === 0) return null;
    return found.sort((a, b) => this.#rank.get(a.intended)! - this.#rank.get(b.intended)!)[0]!;
  }

  /**
   * High-impact names one edit or swap from `name`: every such variant of the
   * name is looked up (about 80 per character), which for the few dozen names a
   * run judges is far cheaper than indexing 17,000 names' variants.
   */
  #oneStepAway(name: string): Set<string> {
    const found = new Set<string>();
    const check = (variant: string): void => {
      if (variant !== name && this.#names.has(variant)) found.add(variant);
    };
    for (let i = 0; i <= name.length; i++) {
      const head = name.slice(0, i);
      const tail = name.slice(i);
      for (const char of this.#alphabet) check(head + char + tail);
      if (i < name.length) {
        const rest = name.slice(i + 1);
        check(head + rest);
        for (const char of this.#alphabet) check(head + char + rest);
        if (i + 1 < name.length) check(head + name[i + 1] + name[i] + name.slice(i + 2));
      }
    }
    return found;
  }

  #separators(): Map<string, string[]> {
    if (!this.#bySeparators) {
      this.#bySeparators = new Map();
      for (const name of this.#names) push(this.#bySeparators, separatorKey(name), name);
    }
    return this.#bySeparators;
  }

  /** The one high-impact package with the same name under another scope (or none), when there is exactly one. */
  #scopeSwap(name: string): string | null {
    const scope = scopeOf(name);
    const own = bare(name);
    if (own.length < MIN_SCOPE_SWAP_LENGTH || scope === '@types') return null;
    if (!this.#byBareName) {
      this.#byBareName = new Map();
      for (const candidate of this.#names) push(this.#byBareName, bare(candidate), candidate);
    }
    const others = (this.#byBareName.get(own) ?? []).filter((candidate) => candidate !== name && scopeOf(candidate) !== '@types');
    return others.length === 1 ? others[0]! : null;
  }
}

function push(map: Map<string, string[]>, key: string, name: string): void {
  const list = map.get(key);
  if (!list) map.set(key, [name]);
  else if (!list.includes(name)) list.push(name);
}

/** `uuid4`, `cookie2`: a digit appended to a name is a versioned fork more often than a typo. */
function versionSuffix(name: string, candidate: string): boolean {
  return name.length === candidate.length + 1 && name.startsWith(candidate) && /\d$/.test(name);
}

let shared: HighImpact | undefined;

/** The dataset's index, built on first use. */
export function highImpact(): HighImpact {
  shared ??= new HighImpact(npmHighImpact);
  return shared;
}
