// Over 400 lines: the judging closures of one walk share the file's scopes, bindings and evidence; split apart they would pass that state around.
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
import {
  CODE_GLOBALS,
  constantString,
  encodedText,
  GLOBAL,
  hasShellOption,
  isFunctionValue,
  isInteresting,
  isPackageLocal,
  keyName,
  moduleName,
  PROCESS,
  propertyName,
  REQUIRE,
  REQUIRE_NAMES,
  stripSync,
  unwrapCallee,
  type Node,
  type Queued,
  type Ref,
} from './analyse-js-nodes.js';
import { lineIndex, obfuscationEvidence } from './obfuscation.js';
import { Bindings, Scope } from './scopes.js';
import type { Capability, Evidence, FileEvidence } from './types.js';
import { walkProgram } from './walk.js';

export type { FileEvidence } from './types.js';

export { moduleName } from './analyse-js-nodes.js';

export interface FileAnalysis {
  evidence: FileEvidence[];
  /** Relative specifiers the file requires or imports (`./lib/x`), constant ones only. */
  requires: string[];
}

export function analyseJavaScript(text: string, file: string, program: ESTree.Program): FileAnalysis {
  const root = new Scope<Ref>(null);
  const bindings = new Bindings<Ref>(root);
  /** Relative specifiers this file loads, for the package's reachability (analyse-package.ts). */
  const requires: string[] = [];
  const evidence: FileEvidence[] = [];
  let evaluates = false;
  let hexIdentifiers = 0;
  let firstHexIdentifier = -1;
  const encoded: Array<{ start: number; kind: string; length: number }> = [];

  const lineOf = lineIndex(text);

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

  evidence.push(...obfuscationEvidence(text, file, lineOf, { hexIdentifiers, firstHexIdentifier, evaluates, encoded }));
  return { evidence, requires };
}
