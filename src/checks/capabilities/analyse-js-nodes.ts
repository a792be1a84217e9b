// The AST helpers of the JavaScript analysis (analyse-js.ts): what a node
// names (constant strings, property and key names, module names), what a
// call's callee really is, and the names it treats specially. Pure functions
// of one node, each testable alone.

import type { ESTree } from 'meriyah';
import { MODULES, OBFUSCATION } from './detectors.js';

export type Node = ESTree.Node;

/** Uses the walk queues (walk order), judged once every name of the file is declared and bound. */
export type Queued = 'import' | 'export-from' | 'import-expression' | 'call' | 'member' | 'destructuring' | 'global';

/** What a local name or an expression stands for: a module (or `process`, or the global object) and a member path. */
export interface Ref {
  module: string;
  path: string[];
}

export const PROCESS = 'process';
export const GLOBAL = '#global';
/** What createRequire() and `eval('require')` return. */
export const REQUIRE = '#require';
/** Globals that turn strings into code. */
export const CODE_GLOBALS: ReadonlySet<string> = new Set(['eval', 'Function']);
// esbuild's ESM output calls `__require`; webpack leaves `__non_webpack_require__` to Node.js.
export const REQUIRE_NAMES: ReadonlySet<string> = new Set(['require', '__require', '__non_webpack_require__']);

/** `node:fs/promises` -> `fs`, `@scope/pkg/sub` -> `@scope/pkg`; null for relative and absolute paths. */
export function moduleName(specifier: string): string | null {
  const name = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
  if (name === '' || name.startsWith('.') || name.startsWith('/')) return null;
  const parts = name.split('/');
  return name.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** A string the expression always evaluates to, and whether it took folding (`'a' + 'b'`) to see it. */
export function constantString(node: Node): { value: string; folded: boolean } | null {
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

export function propertyName(node: ESTree.MemberExpression): string | null {
  if (!node.computed) return node.property.type === 'Identifier' ? node.property.name : null;
  const constant = constantString(node.property as Node);
  return constant ? constant.value : null;
}

export function keyName(property: ESTree.Property | ESTree.AssignmentProperty): string | null {
  if (!property.computed && property.key.type === 'Identifier') return property.key.name;
  if (property.key.type === 'Literal' && typeof property.key.value === 'string') return property.key.value;
  return null;
}

export function isInteresting(module: string): boolean {
  return module === PROCESS || Object.hasOwn(MODULES, module);
}

export function stripSync(name: string): string {
  return name.endsWith('Sync') ? name.slice(0, -4) : name;
}

/** A spawn-style call whose options object sets `shell` to anything but false. */
export function hasShellOption(call: ESTree.CallExpression | ESTree.NewExpression | null): boolean {
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
export function unwrapCallee(node: Node): Node {
  let current = node;
  for (;;) {
    if (current.type === 'SequenceExpression') current = current.expressions[current.expressions.length - 1] as Node;
    else if (current.type === 'ChainExpression') current = current.expression as Node;
    else if (current.type === 'ParenthesizedExpression') current = current.expression as Node;
    else return current;
  }
}

/** A function literal, Object.getPrototypeOf of one, or any `x.constructor` (whose constructor is Function). */
export function isFunctionValue(node: Node): boolean {
  if (node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') return true;
  if (node.type === 'MemberExpression' && propertyName(node) === 'constructor') return true;
  if (node.type === 'CallExpression' && node.callee.type === 'MemberExpression' && propertyName(node.callee) === 'getPrototypeOf') {
    const first = node.arguments[0];
    return first !== undefined && (first.type === 'FunctionExpression' || first.type === 'ArrowFunctionExpression');
  }
  return false;
}

/** A computed module name that stays inside the package: `'./x/' + name`, `path.join(__dirname, name)`. */
export function isPackageLocal(node: Node): boolean {
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
export function encodedText(value: string): string | null {
  if (value.length < OBFUSCATION.encodedString) return null;
  const kind = OBFUSCATION.hex.test(value) ? 'hex' : OBFUSCATION.base64.test(value) ? 'base64' : null;
  if (!kind) return null;
  const sample = kind === 'hex' ? Buffer.from(value.slice(0, 1024), 'hex') : Buffer.from(value.slice(0, 1024).replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  let printable = 0;
  for (const byte of sample) if (byte === 9 || byte === 10 || byte === 13 || (byte >= 32 && byte < 127)) printable++;
  return printable >= sample.length * 0.95 ? kind : null;
}
