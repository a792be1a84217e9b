// Which packages the registry-backed checks judge. `check` judges every
// package. `diff` judges only what its change touched: a registry-backed
// finding is a function of the package (name, version, where it came from,
// how it is reached) and of registry data that is the same for both sides of
// one run, so about a package identical in base and head it is the same
// finding on both sides and cancels out in the comparison. Judging only the
// packages a change adds, removes or changes (on the side that has them)
// gives the same new and resolved findings for a fraction of the requests.
//
// Advisories are the exception that needs more: a metavulnerability of a
// changed package comes from a vulnerable dependency that may itself be
// unchanged, and npm's matching marks every installed copy of a vulnerable
// name. So advisory matching asks about every package named like one the
// change touched or like anything those depend on (on either side); the
// chains it walks up from there are the graph's own (src/checks/advisories).

import type { DepNode } from '../model.js';

/**
 * What makes two nodes of two graphs the same package for a registry-backed
 * check: the registry identity, where it came from, and how it is reached
 * (the dependency flags decide --omit and dev-only severities). Not the
 * location: a package hoisted elsewhere is still the same package.
 */
export function packageIdentity(node: DepNode): string {
  const flags = [node.dev, node.optional, node.devOptional, node.peer, node.inBundle].map((flag) => (flag ? '1' : '0')).join('');
  return [node.packageName, node.version, node.source, node.resolved ?? '', node.integrity ?? '', flags].join('\u0000');
}

export interface JudgedScope {
  /** false: every package is judged (check); true: only those a change touched (diff). */
  readonly partial: boolean;
  /** Whether a registry-backed check judges this package. */
  judges(node: DepNode): boolean;
  /** Whether advisory matching asks about this package (judges() widened as the file comment says). */
  audits(node: DepNode): boolean;
}

/** Every package: what `check` and `report` judge. */
export const WHOLE_TREE: JudgedScope = { partial: false, judges: () => true, audits: () => true };

/** The packages a change touched (identities, see packageIdentity) and the names advisory matching asks about. */
export function changedScope(identities: ReadonlySet<string>, advisoryNames: ReadonlySet<string>): JudgedScope {
  // Every registry-backed check asks about every node: the answer once per node.
  const judged = new WeakMap<DepNode, boolean>();
  return {
    partial: true,
    judges: (node) => {
      let answer = judged.get(node);
      if (answer === undefined) judged.set(node, (answer = identities.has(packageIdentity(node))));
      return answer;
    },
    audits: (node) => advisoryNames.has(node.packageName),
  };
}
