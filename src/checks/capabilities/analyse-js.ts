// Capabilities of one parsed JavaScript file, from its AST: module imports
// (require, import, import(), re-exports, the interop wrappers compilers
// emit), what the code does with them (child_process calls and their shell
// option, fs reads and writes, process.env keys), globals (fetch, WebSocket,
// eval, Function) and dynamic loading of computed module names.
//
// One walk (walk.ts) records the names each function declares and which of
// them stand for a module or a part of one (`const cp =
// require('child_process')`, `const { exec } = cp`, `import * as fs from
// 'node:fs'`, `var x_1 = __importStar(require("x"))`), and queues the uses;
// the uses are then judged, resolving each name in the scopes around it
// (scopes.ts), so that a one-letter name reused across a minified bundle is
// not taken for another function's alias. Mentions in comments and strings
// are not code and are never seen. Nothing is evaluated.

import type { ESTree } from 'meriyah';
import {
  FS_NAMESPACES,
  FS_READS,
  FS_WRITES,
  GLOBAL_OBJECTS,
  INTEROP_HELPERS,
  MODULES,
  NATIVE_REQUIRE,
  NETWORK_GLOBALS,
  OBFUSCATION,
  PROCESS_BINDINGS,
  PROCESS_MEMBERS,
  SHELL_MEMBERS,
  SPAWN_MEMBERS,
} from './detectors.js';
import { Bindings, Scope } from './scopes.js';
import type { Capability, Evidence } from './types.js';
import { walkProgram } from './walk.js';

export type FileEvidence = Evidence & { capability: Capability };

export interface FileAnalysis {
  evidence: FileEvidence[];
  /** Relative specifiers the file requires or imports (`./lib/x`), constant ones only. */
  requires: string[];
}

type Node = ESTree.Node;

/** Uses the walk queues (walk order), judged once every name of the file is declared and bound. */
type Queued = 'import' | 'export-from' | 'import-expression' | 'call' | 'member' | 'destructuring' | 'global';

/** What a local name or an expression stands for: a module (or `process`, or the global object) and a member path. */
interface Ref {
  module: string;
  path: string[];
}

const PROCESS = 'process';
const GLOBAL = '#global';
/** What createRequire() and `eval('require')` return. */
const REQUIRE = '#require';
/** Globals that turn strings into code. */
const CODE_GLOBALS: ReadonlySet<string> = new Set(['eval', 'Function']);
// esbuild's ESM output calls `__require`; webpack leaves `__non_webpack_require__` to Node.js.
const REQUIRE_NAMES: ReadonlySet<string> = new Set(['require', '__require', '__non_webpack_require__']);

/** `node:fs/promises` -> `fs`, `@scope/pkg/sub` -> `@scope/pkg`; null for relative and absolute paths. */
export function moduleName(specifier: string): string | null {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (name === '' || name.startsWith('.') || name.startsWith('/')) return null;
  const parts = name.split('/');
  return name.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** A string the expression always evaluates to, and whether it took folding (`'a' + 'b'`) to see it. */
function constantString(node: Node): { value: string; folded: boolean } | null {
  if (node.type === 'Literal') return typeof node.value === 'string' ? { value: node.value, folded: false } : null;
  if (node.type === 'TemplateLiteral') {
    let value = node.quasis[0]?.value.cooked ?? '';
    for (let i = 0; i < node.expressions.length; i++) {
      const part = constantString(node.expressions[i] as Node);
      if (!part) return null;
      value += part.value + (node.quasis[i + 1]?.value.cooked ?? '');
    }
    return { value, folded: node.expressions.length > 0 };
  }
  if (node.type === 'BinaryExpression' && node.operator === '+') {
    const left = constantString(node.left as Node);
    const right = left && constantString(node.right as Node);
    return left && right ? { value: left.value + right.value, folded: true } : null;
  }
  return null;
}

function propertyName(node: ESTree.MemberExpression): string | null {
  if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : null;
  const constant = constantString(node.property as Node);
  return constant ? constant.value : null;
}

function keyName(property: ESTree.Property | ESTree.AssignmentProperty): string | null {
  if (!property.computed && property.key.type === 'Identifier') return property.key.name;
  if (property.key.type === 'Literal' && typeof property.key.value === 'string') return property.key.value;
  return null;
}

function isInteresting(module: string): boolean {
  return module === PROCESS || Object.hasOwn(MODULES, module);
}

function stripSync(name: string): string {
  return name.endsWith('Sync') ? name.slice(0, -4) : name;
}

/** A spawn-style call whose options object sets `shell` to anything but false. */
function hasShellOption(call: ESTree.CallExpression | ESTree.NewExpression | null): boolean {
  if (!call) return false;
  for (const argument of call.arguments) {
    if (argument.type !== 'ObjectExpression') continue;
    for (const property of argument.properties) {
      if (property.type !== 'Property' || keyName(property) !== 'shell') continue;
      const value = property.value;
      if (value.type === 'Literal' && (value.value === false || value.value === null || value.value === '')) continue;
      if (value.type === 'Identifier' && value.name === 'undefined') continue;
      return true;
    }
  }
  return false;
}

/** The callee with `(0, x.y)` and optional chaining removed, as TypeScript and Babel emit them. */
function unwrapCallee(node: Node): Node {
  let current = node;
  for (;;) {
    if (current.type === 'SequenceExpression') current = current.expressions[current.expressions.length - 1] as Node;
    else if (current.type === 'ChainExpression') current = current.expression as Node;
    else if (current.type === 'ParenthesizedExpression') current = current.expression as Node;
    else return current;
  }
}

/** A function literal, Object.getPrototypeOf of one, or any `x.constructor` (whose constructor is Function). */
function isFunctionValue(node: Node): boolean {
  if (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') return true;
  if (node.type === 'MemberExpression' && propertyName(node) === 'constructor') return true;
  if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && propertyName(node.callee) === 'getPrototypeOf') {
    const first = node.arguments[0];
    return first !== undefined && (first.type === 'FunctionExpression' || first.type === 'ArrowFunctionExpression');
  }
  return false;
}

/** A computed module name that stays inside the package: `'./x/' + name`, `path.join(__dirname, name)`. */
function isPackageLocal(node: Node): boolean {
  if (node.type === 'TemplateLiteral') return /^\.\.?\//.test(node.quasis[0]?.value.cooked ?? '');
  if (node.type === 'BinaryExpression' && node.operator === '+') {
    const head = constantString(node.left as Node);
    return head ? /^\.\.?\//.test(head.value) : isPackageLocal(node.left as Node);
  }
  if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression') {
    const method = propertyName(node.callee);
    const first = node.arguments[0];
    return (method === 'join' || method === 'resolve') && first?.type === 'Identifier' && first.name === '__dirname';
  }
  return false;
}

/**
 * 'hex' or 'base64' for a long encoded string that decodes to text (code to
 * evaluate); null otherwise. Embedded binaries (WebAssembly, fonts, images)
 * decode to bytes that are not text, and are common in honest packages.
 */
function encodedText(value: string): string | null {
  if (value.length < OBFUSCATION.encodedString) return null;
  const kind = OBFUSCATION.hex.test(value) ? 'hex' : OBFUSCATION.base64.test(value) ? 'base64' : null;
  if (!kind) return null;
  const sample = kind === 'hex' ? Buffer.from(value.slice(0, 1024), 'hex') : Buffer.from(value.slice(0, 1024).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  let printable = 0;
  for (const byte of sample) if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127)) printable++;
  return printable >= sample.length * 0.95 ? kind : null;
}

export function analyseJavaScript(text: string, file: string, program: ESTree.Program): FileAnalysis {
  const root = new Scope<Ref>(null);
  const bindings = new Bindings<Ref>(root);
  /** Relative specifiers this file loads, for the package's reachability (analyse-package.ts). */
  const requires: string[] = [];
  const evidence: FileEvidence[] = [];
  let lineStarts: number[] | null = null;
  let evaluates = false;
  let hexIdentifiers = 0;
  let firstHexIdentifier = -1;
  const encoded: Array<{ start: number; kind: string; length: number }> = [];

  const lineOf = (offset: number): number => {
    if (!lineStarts) {
      lineStarts = [0];
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lineStarts.push(at + 1);
    }
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  };

  const snippet = (node: Node): string => {
    const raw = text.slice(node.start!, Math.min(node.end!, node.start! + 240)).replace(/\s+/g, ' ').trim();
    return raw.length > 100 ? `${raw.slice(0, 99)}…` : raw;
  };

  const add = (capability: Capability, node: Node, kind: Evidence['kind'], extra: Partial<Evidence> = {}): void => {
    evidence.push({ capability, file, line: lineOf(node.start!), kind, what: snippet(node), ...extra });
  };

  const isFree = (name: string, at: Scope<Ref>): boolean => !bindings.lookup(name, at).declared;

  const moduleRef = (specifier: string): Ref | null => {
    const name = moduleName(specifier);
    return name !== null && isInteresting(name) ? { module: name, path: [] } : null;
  };

  /**
   * The argument of a require call, and whether the require is Node.js's own:
   * a free `require` (or one made by createRequire or `eval('require')`),
   * `module.require`. A bundle's own `require` parameter (browserify,
   * webpack) loads the bundle's modules by id: its literal names still count,
   * its computed ids are no dynamic code.
   */
  const requireCall = (call: ESTree.CallExpression, at: Scope<Ref>): { argument: Node; nodeRequire: boolean } | undefined => {
    const first = call.arguments[0];
    if (!first || first.type === 'SpreadElement') return undefined;
    const callee = unwrapCallee(call.callee as Node);
    if (callee.type === 'Identifier' && REQUIRE_NAMES.has(callee.name)) {
      const { declared, value } = bindings.lookup(callee.name, at);
      return { argument: first as Node, nodeRequire: !declared || value?.module === REQUIRE };
    }
    if (callee.type === 'MemberExpression' && callee.object.type === 'Identifier' && callee.object.name === 'module' && propertyName(callee) === 'require') {
      return { argument: first as Node, nodeRequire: isFree('module', at) };
    }
    if (callee.type === 'Identifier' || callee.type === 'CallExpression') {
      const ref = resolve(callee, at);
      if (ref?.module === REQUIRE && ref.path.length === 0) return { argument: first as Node, nodeRequire: true };
    }
    return undefined;
  };

  /** What an expression stands for at a use site (`at`: the scope of the site, for lookups). */
  const resolve = (node: Node, at: Scope<Ref>): Ref | null => {
    switch (node.type) {
      case 'Identifier': {
        const name = node.name;
        if (!bindings.bound.has(name) && name !== PROCESS && !GLOBAL_OBJECTS.has(name) && !CODE_GLOBALS.has(name)) return null;
        const { declared, value } = bindings.lookup(name, at);
        if (value) return value;
        if (declared) return null;
        if (name === PROCESS) return { module: PROCESS, path: [] };
        if (GLOBAL_OBJECTS.has(name)) return { module: GLOBAL, path: [] };
        // `const ctor = Function; new ctor(src)`: the alias is followed like a module's.
        if (CODE_GLOBALS.has(name)) return { module: GLOBAL, path: [name] };
        return null;
      }
      case 'MemberExpression': {
        // `(async function () {}).constructor`, `Object.getPrototypeOf(function* () {}).constructor`, `x.constructor.constructor`: Function.
        if (propertyName(node) === 'constructor' && isFunctionValue(node.object as Node)) return { module: GLOBAL, path: ['Function'] };
        // Fast way out for the common case: a chain whose root stands for nothing.
        let root: Node = node;
        while (root.type === 'MemberExpression') root = root.object as Node;
        if (root.type === 'Identifier' && !bindings.bound.has(root.name) && root.name !== PROCESS && !GLOBAL_OBJECTS.has(root.name)) return null;
        const object = resolve(node.object as Node, at);
        if (!object) return null;
        const path = [...object.path, propertyName(node) ?? '?'];
        // globalThis.process.env is process.env.
        if (object.module === GLOBAL && path[0] === PROCESS) return { module: PROCESS, path: path.slice(1) };
        return { module: object.module, path };
      }
      case 'CallExpression': {
        const callee = unwrapCallee(node.callee as Node);
        // `createRequire(import.meta.url)`, `eval('require')`: a require function under another name.
        const calleeName = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' ? propertyName(callee) : null;
        if (calleeName === 'createRequire') return { module: REQUIRE, path: [] };
        if (calleeName === 'eval' && node.arguments[0] && constantString(node.arguments[0] as Node)?.value === 'require') return { module: REQUIRE, path: [] };
        const required = requireCall(node, at);
        if (required) {
          const constant = constantString(required.argument);
          return constant ? moduleRef(constant.value) : null;
        }
        const helper = callee.type === 'Identifier' ? callee.name : callee.type === 'MemberExpression' ? propertyName(callee) : null;
        if (helper !== null && INTEROP_HELPERS.has(helper) && node.arguments[0] && node.arguments[0].type !== 'SpreadElement') return resolve(node.arguments[0] as Node, at);
        return null;
      }
      case 'ImportExpression': {
        const constant = constantString(node.source as Node);
        return constant ? moduleRef(constant.value) : null;
      }
      case 'AwaitExpression':
        return resolve(node.argument as Node, at);
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        return resolve(node.expression as Node, at);
      case 'SequenceExpression':
        return resolve(node.expressions[node.expressions.length - 1] as Node, at);
      case 'LogicalExpression':
        return resolve(node.left as Node, at) ?? resolve(node.right as Node, at);
      case 'ConditionalExpression':
        return resolve(node.consequent as Node, at) ?? resolve(node.alternate as Node, at);
      default:
        return null;
    }
  };

  const bindPattern = (pattern: Node, ref: Ref, at: Scope<Ref>): void => {
    switch (pattern.type) {
      case 'Identifier':
        bindings.bind(pattern.name, ref, at);
        return;
      case 'AssignmentPattern':
        bindPattern(pattern.left as Node, ref, at);
        return;
      case 'ObjectPattern':
        for (const property of pattern.properties) {
          if (property.type === 'RestElement') bindPattern(property.argument as Node, ref, at);
          else bindPattern(property.value as Node, { module: ref.module, path: [...ref.path, keyName(property) ?? '?'] }, at);
        }
        return;
      default:
        return;
    }
  };

  /** Evidence for a use of a module member (or of process, or of the global object). */
  const use = (ref: Ref, node: Node, call: ESTree.CallExpression | ESTree.NewExpression | null): void => {
    const kind = call ? 'call' : 'member';
    // A name taken by destructuring or an import specifier says little alone: name the module too.
    const taken = node.type === 'Property' || node.type === 'ImportSpecifier' ? { what: `${snippet(node)} from ${ref.module}` } : {};
    if (ref.module === PROCESS) {
      const member = ref.path[0];
      if (member === undefined) return;
      const capability = Object.hasOwn(PROCESS_MEMBERS, member) ? PROCESS_MEMBERS[member] : undefined;
      if (capability === 'environment') {
        const key = ref.path[1];
        if (key !== undefined) add('environment', node, 'member', { key });
      } else if (member === 'binding' || member === '_linkedBinding') {
        // Internal bindings: the process ones start processes without child_process; the others are old-Node fallbacks.
        const name = call?.arguments[0] ? constantString(call.arguments[0] as Node)?.value : undefined;
        if (name !== undefined && PROCESS_BINDINGS.has(name)) add('shell', call ?? node, kind, { module: PROCESS, shell: false });
        else add('native', call ?? node, kind, { module: PROCESS, lowSignal: true });
      } else if (capability) add(capability, call ?? node, kind, { module: PROCESS });
      return;
    }
    if (ref.module === GLOBAL) {
      const member = ref.path[0];
      if (member === undefined || ref.path.length > 1) return;
      if (NETWORK_GLOBALS.has(member)) add('network', call ?? node, 'global');
      else if (member === 'eval' || (member === 'Function' && call)) {
        // Taking Function (`const F = Function`) runs nothing; the call of the alias is judged.
        evaluates = true;
        add('dynamic-code', call ?? node, 'global');
      }
      return;
    }
    const rule = MODULES[ref.module];
    if (!rule?.members) return;
    // Babel and Rollup reach named exports through `.default`.
    const start = ref.path.findIndex((segment) => segment !== 'default');
    if (start > 0) ref = { module: ref.module, path: ref.path.slice(start) };
    if (rule.members === 'child_process') {
      const member = ref.path[0];
      if (member === undefined) return;
      if (SHELL_MEMBERS.has(member)) add('shell', call ?? node, kind, { module: ref.module, shell: true, ...taken });
      else if (SPAWN_MEMBERS.has(member)) add('shell', call ?? node, kind, { module: ref.module, shell: member !== 'fork' && hasShellOption(call), ...taken });
      return;
    }
    if (rule.members === 'shell-always') {
      if (ref.path[0] === 'exec') add('shell', call ?? node, kind, { module: ref.module, shell: true, ...taken });
      return;
    }
    // fs: the first segment past `promises` / `default` names the function.
    const name = ref.path.find((segment) => !FS_NAMESPACES.has(segment));
    if (name === undefined || name === '?') return;
    const base = stripSync(name);
    let access: 'read' | 'write' | null = FS_WRITES.has(base) ? 'write' : FS_READS.has(base) ? 'read' : null;
    if (base === 'open') {
      const flags = call && call.arguments[1] ? constantString(call.arguments[1] as Node) : null;
      access = flags && /[wa+]/.test(flags.value) ? 'write' : 'read';
    }
    if (access === 'write') add('filesystem', call ?? node, kind, { module: ref.module, access, ...taken });
    else if (access === 'read') add('filesystem', call ?? node, kind, { module: ref.module, access, lowSignal: true, ...taken });
  };

  const importEvidence = (specifier: string, node: Node, kind: Evidence['kind'] = 'import'): void => {
    const name = moduleName(specifier);
    if (name === null) {
      if (specifier.startsWith('.')) requires.push(specifier);
      if (NATIVE_REQUIRE.test(specifier)) add('native', node, kind);
      return;
    }
    const rule = Object.hasOwn(MODULES, name) ? MODULES[name] : undefined;
    if (!rule) return;
    add(rule.capability, node, kind, { module: name, ...(rule.importLowSignal ? { lowSignal: true as const } : {}) });
    if (rule.capability === 'dynamic-code') evaluates = true;
  };

  /**
   * require/import of a computed name. One that folds to a constant is a
   * disguised import (`require('child_' + 'process')`): dynamic code, and an
   * import of what it folds to. One that stays inside the package (`./x` +
   * name, `path.join(__dirname, …)`) loads files analysed with the rest:
   * weak.
   */
  const computedLoad = (node: Node, argument: Node, constant: { value: string } | null): void => {
    if (constant) {
      add('dynamic-code', node, 'call', { resolves: constant.value });
      importEvidence(constant.value, node);
      return;
    }
    add('dynamic-code', node, 'call', isPackageLocal(argument) ? { lowSignal: true } : {});
  };

  /** The call or `new` whose callee the node is (directly, or as the last of `(0, x)`, or under `?.`); `ancestors` exclude the node. */
  const calleeOf = (node: Node, ancestors: Node[]): ESTree.CallExpression | ESTree.NewExpression | null => {
    let child = node;
    for (let i = ancestors.length - 1; i >= 0; i--) {
      const parent = ancestors[i]!;
      if ((parent.type === 'CallExpression' || parent.type === 'NewExpression') && parent.callee === child) return parent;
      if (parent.type === 'SequenceExpression' && parent.expressions[parent.expressions.length - 1] === child) child = parent;
      else if (parent.type === 'ChainExpression' || parent.type === 'ParenthesizedExpression') child = parent;
      else return null;
    }
    return null;
  };

  const isTypeof = (parent: Node | undefined): boolean => parent?.type === 'UnaryExpression' && parent.operator === 'typeof';

  const dynamicCall = (call: ESTree.CallExpression | ESTree.NewExpression): void => {
    // Constant code (`Function('return this')`, `Function('return async function () {}')`)
    // is in plain sight and cannot be steered: weak. Code assembled at run time is the signal.
    const constant = call.arguments.every((argument) => argument.type !== 'SpreadElement' && constantString(argument as Node) !== null);
    if (!constant) evaluates = true;
    add('dynamic-code', call, 'call', constant ? { lowSignal: true } : {});
  };

  // One walk. Names are declared and bound as it goes, as JavaScript runs
  // top to bottom (`var cp = require('child_process')` makes cp stand for
  // child_process from there on); uses are queued in walk order and judged
  // after it, when every name is known, because a use can come before the
  // declaration it needs (hoisted functions and vars, minified bundles).
  const queue: Array<{ kind: Queued; node: Node; at: Scope<Ref>; context: Node | null }> = [];
  walkProgram<Ref>(program, root, {
    variableDeclarator(node, _ancestors, at) {
      if (!node.init) return;
      const ref = resolve(node.init as Node, at);
      if (ref) bindPattern(node.id as Node, ref, at);
      if (node.id.type === 'ObjectPattern') queue.push({ kind: 'destructuring', node, at, context: null });
    },
    assignment(node, _ancestors, at) {
      if (node.operator !== '=') return;
      const ref = resolve(node.right as Node, at);
      if (ref) bindPattern(node.left as Node, ref, at);
    },
    importDeclaration(node, _ancestors, at) {
      const ref = typeof node.source.value === 'string' ? moduleRef(node.source.value) : null;
      for (const specifier of node.specifiers) {
        root.declare(specifier.local.name);
        if (!ref) continue;
        const path = specifier.type === 'ImportNamespaceSpecifier' ? [] : specifier.type === 'ImportDefaultSpecifier' ? ['default'] : [specifier.imported.type === 'Identifier' ? specifier.imported.name : String(specifier.imported.value)];
        bindings.bind(specifier.local.name, { module: ref.module, path }, at);
      }
      queue.push({ kind: 'import', node, at, context: null });
    },
    exportFrom(node, _ancestors, at) {
      queue.push({ kind: 'export-from', node, at, context: null });
    },
    importExpression(node, _ancestors, at) {
      queue.push({ kind: 'import-expression', node, at, context: null });
    },
    call(node, _ancestors, at) {
      queue.push({ kind: 'call', node, at, context: null });
    },
    member(node, ancestors, at) {
      const parent = ancestors[ancestors.length - 1];
      if (parent?.type === 'MemberExpression' && parent.object === node) return; // the outer member is judged
      if (calleeOf(node, ancestors)) return; // the call is judged
      if (isTypeof(parent)) return;
      queue.push({ kind: 'member', node, at, context: parent ?? null });
    },
    identifier(node, ancestors, at) {
      const name = node.name;
      // `_0x` first: most identifiers are neither, and a regular expression per identifier costs.
      if (name.charCodeAt(0) === 95 && name.charCodeAt(1) === 48 && OBFUSCATION.hexIdentifier.test(name)) {
        if (firstHexIdentifier < 0) firstHexIdentifier = node.start!;
        hexIdentifiers++;
        return;
      }
      if (!NETWORK_GLOBALS.has(name) && name !== 'eval') return;
      if (isTypeof(ancestors[ancestors.length - 1])) return;
      queue.push({ kind: 'global', node, at, context: calleeOf(node, ancestors) });
    },
    literal(node) {
      if (typeof node.value !== 'string') return;
      const kind = encodedText(node.value);
      if (kind) encoded.push({ start: node.start!, kind, length: node.value.length });
    },
  });

  // The uses, in walk order.
  for (const { kind, node, at, context } of queue) {
    switch (kind) {
      case 'import': {
        const declaration = node as ESTree.ImportDeclaration;
        if (typeof declaration.source.value !== 'string') break;
        importEvidence(declaration.source.value, declaration);
        const ref = moduleRef(declaration.source.value);
        if (!ref) break;
        for (const specifier of declaration.specifiers) {
          if (specifier.type !== 'ImportSpecifier') continue;
          const imported = specifier.imported.type === 'Identifier' ? specifier.imported.name : String(specifier.imported.value);
          use({ module: ref.module, path: [imported] }, specifier, null);
        }
        break;
      }
      case 'export-from': {
        const source = (node as ESTree.ExportNamedDeclaration | ESTree.ExportAllDeclaration).source;
        if (source && typeof source.value === 'string') importEvidence(source.value, node);
        break;
      }
      case 'import-expression': {
        const source = (node as ESTree.ImportExpression).source as Node;
        const constant = constantString(source);
        if (constant && !constant.folded) importEvidence(constant.value, node);
        else computedLoad(node, source, constant);
        break;
      }
      case 'call': {
        const call = node as ESTree.CallExpression | ESTree.NewExpression;
        const callee = unwrapCallee(call.callee as Node);
        if (call.type === 'CallExpression') {
          const required = requireCall(call, at);
          if (required) {
            const constant = constantString(required.argument);
            if (constant && !constant.folded) importEvidence(constant.value, call);
            else if (required.nodeRequire) computedLoad(call, required.argument, constant);
            break;
          }
          if (callee.type === 'Identifier' && (callee.name === 'eval' || callee.name === 'Function') && isFree(callee.name, at)) {
            dynamicCall(call);
            break;
          }
        } else if (callee.type === 'Identifier' && callee.name === 'Function' && isFree('Function', at)) {
          dynamicCall(call);
          break;
        }
        const ref = resolve(callee, at);
        if (ref) {
          if (ref.module === GLOBAL && (ref.path[0] === 'Function' || (ref.path[0] === 'eval' && call.type === 'CallExpression')) && ref.path.length === 1) dynamicCall(call);
          else use(ref, callee, call);
        }
        break;
      }
      case 'member': {
        const member = node as ESTree.MemberExpression;
        const ref = resolve(member, at);
        if (!ref) break;
        if (ref.module === PROCESS && ref.path.length === 1 && ref.path[0] === 'env') {
          // `const env = process.env` is an alias (its uses are judged); destructuring names its keys.
          if (context?.type === 'VariableDeclarator' && context.init === member) {
            if (context.id.type === 'ObjectPattern') {
              for (const property of context.id.properties) {
                const key = property.type === 'RestElement' ? '*' : (keyName(property) ?? '?');
                add('environment', property, 'member', { key, what: `process.env.${key}` });
              }
            }
            break;
          }
          add('environment', member, 'member', { key: '*' });
          break;
        }
        use(ref, member, null);
        break;
      }
      case 'destructuring': {
        // `const { exec, spawn } = require('child_process')`: each name taken is a use.
        const declarator = node as ESTree.VariableDeclarator;
        if (declarator.id.type !== 'ObjectPattern') break;
        const ref = resolve(declarator.init as Node, at);
        if (!ref || (ref.module === PROCESS && ref.path.length === 1 && ref.path[0] === 'env')) break;
        for (const property of declarator.id.properties) {
          if (property.type === 'RestElement') continue;
          const key = keyName(property);
          if (key !== null) use({ module: ref.module, path: [...ref.path, key] }, property, null);
        }
        break;
      }
      case 'global': {
        const name = (node as ESTree.Identifier).name;
        if (!isFree(name, at)) break;
        const call = context as ESTree.CallExpression | ESTree.NewExpression | null;
        if (name === 'eval') {
          if (call) break; // judged as a call
          evaluates = true;
          add('dynamic-code', node, 'global');
          break;
        }
        add('network', call ?? node, 'global');
        break;
      }
    }
  }

  // Obfuscation hints: judged on the whole file.
  if (hexIdentifiers >= OBFUSCATION.hexIdentifiers) {
    evidence.push({ capability: 'obfuscation', file, line: lineOf(firstHexIdentifier), kind: 'pattern', what: `${hexIdentifiers} identifiers named like _0x1a2b (javascript-obfuscator)` });
  }
  if (evaluates) {
    for (const string of encoded) {
      evidence.push({ capability: 'obfuscation', file, line: lineOf(string.start), kind: 'pattern', what: `${string.kind}-encoded text of ${string.length} characters in a file that evaluates code` });
    }
  }
  if (text.length >= OBFUSCATION.minFileForLongLine && !OBFUSCATION.bundlePath.test(file)) {
    let longest = 0;
    let longestStart = 0;
    let start = 0;
    for (let at = text.indexOf('\n'); ; at = text.indexOf('\n', at + 1)) {
      const end = at < 0 ? text.length : at;
      // An inline source map is a long comment, not code.
      if (end - start > longest && !text.startsWith('//# sourceMappingURL', start) && !text.startsWith('//@ sourceMappingURL', start)) {
        longest = end - start;
        longestStart = start;
      }
      if (at < 0) break;
      start = at + 1;
    }
    // A hint only: bundles ship as single lines under any name. Listed, never reported alone.
    if (longest >= OBFUSCATION.longLine) {
      evidence.push({ capability: 'obfuscation', file, line: lineOf(longestStart), kind: 'pattern', what: `a line of ${longest} characters outside a bundle folder`, lowSignal: true });
    }
  }
  return { evidence, requires };
}
