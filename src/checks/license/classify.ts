// What a declared licence means, and whether a policy accepts it. Parsing is
// spdx-expression-parse's, misspellings are spdx-correct's guesses (npm's own
// normaliser uses it) and acceptance is spdx-satisfies' reading of `OR`,
// `AND`, `-or-later` ranges and `WITH` exceptions: this module only decides
// which of them to ask and in what order. The report's licence inventory
// and the SBOM writers read licences through readLicense too.

import correct from 'spdx-correct';
import parseSpdx, { type SpdxNode } from 'spdx-expression-parse';
import satisfies from 'spdx-satisfies';
import { DepguardError } from '../../errors.js';

export type LicenseStatus =
  /** A valid SPDX expression as declared. */
  | 'spdx'
  /** Not valid SPDX as declared; spdx-correct found the expression it means (`Apache 2.0` -> `Apache-2.0`). */
  | 'corrected'
  /** No licence declared. */
  | 'missing'
  /** `UNLICENSED`: npm's word for "no permission is granted" (not the Unlicense). */
  | 'unlicensed'
  /** `SEE LICENSE IN <file>`: a licence of its own, in a file of the package. */
  | 'custom'
  /** Text that is neither SPDX nor correctable. */
  | 'not-spdx';

export interface LicenseReading {
  /** As the package declares it (joined from a `licenses` array), or null. */
  declared: string | null;
  /** The SPDX expression it stands for ('spdx' and 'corrected'), else null. */
  expression: string | null;
  status: LicenseStatus;
  /** The file a `SEE LICENSE IN` names. */
  file?: string;
}

export function readLicense(declared: string | null, options: { correct?: boolean } = {}): LicenseReading {
  const text = declared?.trim() ?? '';
  if (text === '') return { declared: null, expression: null, status: 'missing' };
  // Before spdx-correct, which would turn UNLICENSED into the Unlicense: the opposite.
  if (/^UNLICEN[SC]ED$/i.test(text)) return { declared: text, expression: null, status: 'unlicensed' };
  const see = /^SEE LICEN[SC]E IN\s+(.+)$/i.exec(text);
  if (see) return { declared: text, expression: null, status: 'custom', file: see[1]!.trim() };
  if (isSpdxExpression(text)) return { declared: text, expression: text, status: 'spdx' };
  if (options.correct !== false) {
    const guess = correct(text, { upgrade: false });
    if (guess !== null && isSpdxExpression(guess)) return { declared: text, expression: guess, status: 'corrected' };
  }
  return { declared: text, expression: null, status: 'not-spdx' };
}

export function isSpdxExpression(text: string): boolean {
  try {
    parseSpdx(text);
    return true;
  } catch {
    return false;
  }
}

/** One licence of an expression as spdx-satisfies reads it: `GPL-2.0+`, `GPL-2.0-only WITH Classpath-exception-2.0`. */
function leafText(node: Extract<SpdxNode, { license: string }>): string {
  return `${node.license}${node.plus ? '+' : ''}${node.exception ? ` WITH ${node.exception}` : ''}`;
}

/** Past this many alternatives an expression is judged as a whole (a real package never comes close). */
const MAX_ALTERNATIVES = 256;

/**
 * The expression in disjunctive form: each alternative is the licences that
 * must all be accepted together. `(MIT OR GPL-3.0-only) AND BSD-3-Clause`
 * gives [[MIT, BSD-3-Clause], [GPL-3.0-only, BSD-3-Clause]].
 */
export function alternatives(expression: string): string[][] {
  const expand = (node: SpdxNode): string[][] => {
    if ('license' in node) return [[leafText(node)]];
    const left = expand(node.left);
    const right = expand(node.right);
    if (node.conjunction === 'or') return [...left, ...right].slice(0, MAX_ALTERNATIVES);
    const product: string[][] = [];
    for (const l of left) for (const r of right) if (product.length < MAX_ALTERNATIVES) product.push([...new Set([...l, ...r])]);
    return product;
  };
  return expand(parseSpdx(expression));
}

export interface LicensePolicy {
  /** Licences accepted; null when the policy has no allow list (everything not denied is accepted). */
  allow: string[] | null;
  deny: string[];
}

export type Judgement =
  | { verdict: 'accepted'; /** The alternative the project can take. */ choice: string[] }
  /** Every alternative needs a denied licence; `denied` lists the ones met. */
  | { verdict: 'denied'; denied: string[] }
  /** Not denied, but no alternative is made of allowed licences only. */
  | { verdict: 'not-allowed'; outside: string[] };

function matchesAny(leaf: string, list: string[]): boolean {
  return list.length > 0 && satisfies(leaf, list);
}

/**
 * Whether the project may take the package under one of the expression's
 * alternatives: `(MIT OR GPL-3.0-only)` is accepted when MIT is allowed or
 * GPL-3.0-only denied, `MIT AND GPL-3.0-only` is not. A licence range
 * (`GPL-2.0-or-later`) counts as denied when it admits a denied licence.
 */
export function judgeLicense(expression: string, policy: LicensePolicy): Judgement {
  const options = alternatives(expression);
  const clean = options.filter((option) => !option.some((leaf) => matchesAny(leaf, policy.deny)));
  if (clean.length === 0) {
    const denied = [...new Set(options.flatMap((option) => option.filter((leaf) => matchesAny(leaf, policy.deny))))].sort();
    return { verdict: 'denied', denied };
  }
  if (policy.allow === null) return { verdict: 'accepted', choice: clean[0]! };
  const allow = policy.allow;
  const allowed = clean.find((option) => option.every((leaf) => matchesAny(leaf, allow)));
  if (allowed) return { verdict: 'accepted', choice: allowed };
  const outside = [...new Set(clean.flatMap((option) => option.filter((leaf) => !matchesAny(leaf, allow))))].sort();
  return { verdict: 'not-allowed', outside };
}

/**
 * The `allow` or `deny` option, checked: each entry one SPDX licence
 * (`MIT`, `GPL-2.0-only WITH Classpath-exception-2.0`, `LicenseRef-…`), not
 * an expression; a misspelling is a config error with spdx-correct's guess.
 */
export function licenseList(entries: readonly string[], field: string): string[] {
  return entries.map((entry, index) => {
    let node: SpdxNode | null = null;
    try {
      node = parseSpdx(entry);
    } catch {
      node = null;
    }
    if (node === null || !('license' in node)) {
      const guess = node === null ? correct(entry, { upgrade: false }) : null;
      throw new DepguardError('EBAD_CONFIG', `${field}[${index}]: "${entry}" is not ${node === null ? 'an SPDX licence identifier' : 'one licence (list each licence of an expression as its own entry)'}`, {
        field: `${field}[${index}]`,
        hint: guess ? `did you mean "${guess}"? Identifiers are listed at https://spdx.org/licenses/` : 'identifiers are listed at https://spdx.org/licenses/ (LicenseRef-<name> for others)',
      });
    }
    return entry;
  });
}
