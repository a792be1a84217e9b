// Function scopes of one file, enough to follow aliases in minified code
// where one-letter names are reused everywhere: which names each function
// (or the file) declares, and which of them stand for a module. A use is
// looked up from the innermost function around it outwards. Block scopes
// are folded into their function (a name declared twice in one function
// keeps its first module binding: more findings, never fewer). The walker
// (walk.ts) makes one Scope per function and declares names as it meets
// them.

export class Scope<T> {
  readonly parent: Scope<T> | null;
  /** Declared names, and what each stands for (null: nothing known). Made on the first declaration: most functions declare nothing we track. */
  #names: Map<string, T | null> | null = null;

  constructor(parent: Scope<T> | null) {
    this.parent = parent;
  }

  declare(name: string): void {
    if (!this.#names) this.#names = new Map();
    if (!this.#names.has(name)) this.#names.set(name, null);
  }

  /** The innermost scope, from this one outwards, that declares `name`; null when the name is free (a global). */
  owner(name: string): Scope<T> | null {
    for (let scope: Scope<T> | null = this; scope; scope = scope.parent) if (scope.#names?.has(name)) return scope;
    return null;
  }

  /** What a declared name stands for. */
  valueOf(name: string): T | null {
    return this.#names?.get(name) ?? null;
  }

  /** Binds a declared name to a value, unless it already stands for one. */
  bindOnce(name: string, value: T): void {
    this.declare(name);
    if (this.#names!.get(name) == null) this.#names!.set(name, value);
  }
}

/** The scopes of one file, and the names bound to a value anywhere in it: uses of any other name need no lookup. */
export class Bindings<T> {
  readonly bound = new Set<string>();
  readonly #root: Scope<T>;

  constructor(root: Scope<T>) {
    this.#root = root;
  }

  /** Binds a name in the scope that declares it (the file's, for an undeclared name). */
  bind(name: string, value: T, at: Scope<T>): void {
    (at.owner(name) ?? this.#root).bindOnce(name, value);
    this.bound.add(name);
  }

  /** What a name means at a use site: declared there (and bound to what), or free (a global). */
  lookup(name: string, at: Scope<T>): { declared: boolean; value: T | null } {
    const owner = at.owner(name);
    return owner ? { declared: true, value: owner.valueOf(name) } : { declared: false, value: null };
  }
}
