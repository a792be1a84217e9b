// Function scopes of one file, enough to follow aliases in minified code
// where one-letter names are reused everywhere: which names each function
// (or the file) declares, and which of them stand for a module. A use is
// looked up from its ancestors, innermost function first. Block scopes are
// folded into their function (a name declared twice in one function keeps
// its first module binding: more findings, never fewer).

import type * as acorn from 'acorn';

type Node = acorn.AnyNode;

const PATTERN_PARTS: ReadonlySet<string> = new Set(['ObjectPattern', 'ArrayPattern', 'Property', 'AssignmentPattern', 'RestElement']);

export function isScope(node: Node): boolean {
  return node.type === 'Program' || node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

export class Scopes<T> {
  readonly #scopes = new Map<Node, Map<string, T | null>>();
  /** Names bound to a value in some scope: uses of any other name need no lookup. */
  readonly bound = new Set<string>();

  /** The nearest scope at or below `index` in `ancestors`. */
  #scopeAt(ancestors: Node[], index: number): Node {
    for (let i = index; i > 0; i--) if (isScope(ancestors[i]!)) return ancestors[i]!;
    return ancestors[0]!;
  }

  #declare(scope: Node, name: string): void {
    let names = this.#scopes.get(scope);
    if (!names) this.#scopes.set(scope, (names = new Map()));
    if (!names.has(name)) names.set(name, null);
  }

  /** Records a declared name (the identifier is the last ancestor), in the scope JavaScript gives it. */
  declarePattern(ancestors: Node[]): void {
    const identifier = ancestors[ancestors.length - 1];
    if (identifier?.type !== 'Identifier') return;
    let i = ancestors.length - 2;
    while (i >= 0 && PATTERN_PARTS.has(ancestors[i]!.type)) i--;
    const owner = ancestors[i];
    if (!owner) return;
    switch (owner.type) {
      case 'VariableDeclarator':
      case 'CatchClause':
        this.#declare(this.#scopeAt(ancestors, i - 1), identifier.name);
        return;
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        // Its own name belongs to the enclosing scope; its parameters to itself.
        this.#declare(owner.id === identifier ? this.#scopeAt(ancestors, i - 1) : owner, identifier.name);
        return;
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.#declare(owner, identifier.name);
        return;
      default:
        return; // an assignment target, not a declaration
    }
  }

  /** A name declared at the top of the file (imports). */
  declareTop(program: Node, name: string): void {
    this.#declare(program, name);
  }

  /** Binds a name to a value in the scope that declares it (the file's, for an undeclared name). */
  bind(name: string, value: T, ancestors: Node[]): void {
    let target: Map<string, T | null> | undefined;
    for (let i = ancestors.length - 1; i >= 0 && !target; i--) {
      const names = isScope(ancestors[i]!) ? this.#scopes.get(ancestors[i]!) : undefined;
      if (names?.has(name)) target = names;
    }
    if (!target) {
      this.#declare(ancestors[0]!, name);
      target = this.#scopes.get(ancestors[0]!)!;
    }
    if (target.get(name) == null) target.set(name, value);
    this.bound.add(name);
  }

  /** What a name means at a use site: declared there (and bound to what), or free (a global). */
  lookup(name: string, ancestors: Node[]): { declared: boolean; value: T | null } {
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const names = isScope(ancestors[i]!) ? this.#scopes.get(ancestors[i]!) : undefined;
      if (names?.has(name)) return { declared: true, value: names.get(name) ?? null };
    }
    return { declared: false, value: null };
  }
}
