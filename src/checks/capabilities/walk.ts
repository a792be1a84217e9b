// One hand-written walk over an ESTree program, for the capability analyser.
// It visits the nodes in the order acorn-walk's base walker does (children
// left to right, each node's hook after its children), keeps the ancestors
// and the function scopes, and declares the names that patterns introduce
// as it goes. Hooks are fixed methods, called only for the node types the
// detectors look at: a generic visitor table and a second walk cost about
// two thirds of the analysis on large bundles.
//
// Where names are declared (scopes.ts folds blocks into functions):
// `var`/`let`/`const` and catch parameters in the enclosing function; a
// function declaration's or class declaration's name around it; parameters
// and a function expression's own name in the function. Assignment targets
// declare nothing.

import type { ESTree } from 'meriyah';
import { Scope } from './scopes.js';

export type Node = ESTree.Node;

/** Post-order hooks: the node, its ancestors (the node not included, the Program first) and the innermost function scope. */
export interface WalkHooks<T> {
  variableDeclarator(node: ESTree.VariableDeclarator, ancestors: Node[], scope: Scope<T>): void;
  assignment(node: ESTree.AssignmentExpression, ancestors: Node[], scope: Scope<T>): void;
  importDeclaration(node: ESTree.ImportDeclaration, ancestors: Node[], scope: Scope<T>): void;
  exportFrom(node: ESTree.ExportNamedDeclaration | ESTree.ExportAllDeclaration, ancestors: Node[], scope: Scope<T>): void;
  importExpression(node: ESTree.ImportExpression, ancestors: Node[], scope: Scope<T>): void;
  call(node: ESTree.CallExpression | ESTree.NewExpression, ancestors: Node[], scope: Scope<T>): void;
  member(node: ESTree.MemberExpression, ancestors: Node[], scope: Scope<T>): void;
  /** An identifier read as a value (not a declaration, a property name or a label). */
  identifier(node: ESTree.Identifier, ancestors: Node[], scope: Scope<T>): void;
  literal(node: ESTree.Literal): void;
}

/** Node types this walker does not know (newer syntax): walked through every child node it holds. */
interface AnyNode {
  type: string;
  [key: string]: unknown;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string';
}

/** Walks `program` with `root` as the file's scope. */
export function walkProgram<T>(program: ESTree.Program, root: Scope<T>, hooks: WalkHooks<T>): void {
  const ancestors: Node[] = [];
  let scope = root;

  const list = (nodes: ReadonlyArray<Node | null | undefined>): void => {
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i];
      if (node) visit(node);
    }
  };

  /** A binding pattern: identifiers in it are declared in `target` (nothing for an assignment target). */
  const pattern = (node: Node, target: Scope<T> | null): void => {
    switch (node.type) {
      case 'Identifier':
        target?.declare(node.name);
        return;
      case 'ObjectPattern':
        ancestors.push(node);
        for (const property of node.properties) {
          if (property.type === 'Property') {
            if (property.computed) visit(property.key);
            pattern(property.value, target);
          } else pattern(property.argument, target);
        }
        ancestors.pop();
        return;
      case 'ArrayPattern':
        ancestors.push(node);
        for (const element of node.elements) if (element) pattern(element, target);
        ancestors.pop();
        return;
      case 'RestElement':
        ancestors.push(node);
        pattern(node.argument, target);
        ancestors.pop();
        return;
      case 'AssignmentPattern':
        ancestors.push(node);
        pattern(node.left, target);
        if (node.right) visit(node.right);
        ancestors.pop();
        return;
      default:
        // `a.b = x`, `[a.b] = x`: a member target is an expression.
        visit(node);
    }
  };

  const decorators = (node: unknown): void => {
    const list = (node as { decorators?: Node[] }).decorators;
    if (list) for (const decorator of list) visit(decorator);
  };

  const func = (node: ESTree.FunctionDeclaration | ESTree.FunctionExpression | ESTree.ArrowFunctionExpression): void => {
    const outer = scope;
    // A declaration's name belongs to the scope around it; an expression's to itself.
    if (node.type === 'FunctionDeclaration' && node.id) pattern(node.id, outer);
    scope = new Scope<T>(outer);
    if (node.type === 'FunctionExpression' && node.id) pattern(node.id, scope);
    for (const param of node.params) pattern(param, scope);
    // A TypeScript-style overload has no body; emitted JavaScript never does, but the parser's types allow it.
    if (node.body) visit(node.body);
    scope = outer;
  };

  const visit = (node: Node): void => {
    switch (node.type) {
      // Leaves first: they are most of the nodes, and need no ancestor entry.
      case 'Identifier':
        hooks.identifier(node, ancestors, scope);
        return;
      case 'Literal':
        hooks.literal(node);
        return;
      case 'ThisExpression':
      case 'Super':
      case 'MetaProperty':
      case 'PrivateIdentifier':
      case 'TemplateElement':
      case 'EmptyStatement':
      case 'DebuggerStatement':
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      default:
    }
    ancestors.push(node);
    switch (node.type) {
      case 'MemberExpression':
        visit(node.object);
        if (node.computed) visit(node.property);
        ancestors.pop();
        hooks.member(node, ancestors, scope);
        return;
      case 'CallExpression':
      case 'NewExpression':
        visit(node.callee);
        list(node.arguments);
        ancestors.pop();
        hooks.call(node, ancestors, scope);
        return;
      case 'ExpressionStatement':
      case 'ChainExpression':
      case 'ParenthesizedExpression':
        visit(node.expression);
        break;
      case 'BlockStatement':
      case 'StaticBlock':
      case 'Program':
        list(node.body);
        break;
      case 'Property':
      case 'MethodDefinition':
      case 'PropertyDefinition':
        decorators(node);
        if (node.computed && node.key) visit(node.key);
        if (node.value) visit(node.value);
        break;
      case 'ObjectExpression':
      case 'ArrayExpression':
        list(node.type === 'ObjectExpression' ? node.properties : node.elements);
        break;
      case 'BinaryExpression':
      case 'LogicalExpression':
        visit(node.left);
        visit(node.right);
        break;
      case 'AssignmentExpression':
        pattern(node.left, null);
        visit(node.right);
        ancestors.pop();
        hooks.assignment(node, ancestors, scope);
        return;
      case 'VariableDeclaration':
        list(node.declarations);
        break;
      case 'VariableDeclarator':
        pattern(node.id, scope);
        if (node.init) visit(node.init);
        ancestors.pop();
        hooks.variableDeclarator(node, ancestors, scope);
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        func(node);
        break;
      case 'ReturnStatement':
      case 'YieldExpression':
      case 'AwaitExpression':
        if (node.argument) visit(node.argument);
        break;
      case 'UnaryExpression':
      case 'UpdateExpression':
      case 'ThrowStatement':
      case 'SpreadElement':
        visit(node.argument);
        break;
      case 'ConditionalExpression':
      case 'IfStatement':
        visit(node.test);
        visit(node.consequent);
        if (node.alternate) visit(node.alternate);
        break;
      case 'SequenceExpression':
        list(node.expressions);
        break;
      case 'TemplateLiteral':
        list(node.expressions);
        break;
      case 'TaggedTemplateExpression':
        visit(node.tag);
        visit(node.quasi);
        break;
      case 'ForStatement':
        if (node.init) visit(node.init);
        if (node.test) visit(node.test);
        if (node.update) visit(node.update);
        visit(node.body);
        break;
      case 'ForInStatement':
      case 'ForOfStatement':
        // `for (x of y)` reads x as an expression; `for ({ a } of y)` assigns a pattern.
        if (node.left.type === 'ObjectPattern' || node.left.type === 'ArrayPattern') pattern(node.left, null);
        else visit(node.left);
        visit(node.right);
        visit(node.body);
        break;
      case 'WhileStatement':
      case 'DoWhileStatement':
        visit(node.test);
        visit(node.body);
        break;
      case 'TryStatement':
        visit(node.block);
        if (node.handler) visit(node.handler);
        if (node.finalizer) visit(node.finalizer);
        break;
      case 'CatchClause':
        if (node.param) pattern(node.param, scope);
        visit(node.body);
        break;
      case 'SwitchStatement':
        visit(node.discriminant);
        list(node.cases);
        break;
      case 'SwitchCase':
        if (node.test) visit(node.test);
        list(node.consequent);
        break;
      case 'LabeledStatement':
        visit(node.body);
        break;
      case 'WithStatement':
        visit(node.object);
        visit(node.body);
        break;
      case 'ClassDeclaration':
      case 'ClassExpression':
        decorators(node);
        // A class declaration's name belongs to the scope around it; an expression's declares nothing here.
        if (node.id) pattern(node.id, node.type === 'ClassDeclaration' ? scope : null);
        if (node.superClass) visit(node.superClass);
        visit(node.body);
        break;
      case 'ClassBody':
        list(node.body);
        break;
      case 'ImportDeclaration':
        visit(node.source);
        if (node.attributes) list(node.attributes);
        ancestors.pop();
        hooks.importDeclaration(node, ancestors, scope);
        return;
      case 'ImportExpression':
        visit(node.source);
        if (node.options) visit(node.options);
        ancestors.pop();
        hooks.importExpression(node, ancestors, scope);
        return;
      case 'ImportAttribute':
        visit(node.value);
        break;
      case 'ExportNamedDeclaration':
      case 'ExportAllDeclaration':
        if (node.type === 'ExportNamedDeclaration' && node.declaration) visit(node.declaration);
        if (node.source) visit(node.source);
        if (node.attributes) list(node.attributes);
        ancestors.pop();
        if (node.source) hooks.exportFrom(node, ancestors, scope);
        return;
      case 'ExportDefaultDeclaration':
        visit(node.declaration);
        break;
      case 'ObjectPattern':
      case 'ArrayPattern':
      case 'RestElement':
      case 'AssignmentPattern':
        // Only reached through a pattern position; declares nothing from here.
        ancestors.pop();
        pattern(node, null);
        return;
      default: {
        // Decorator, AccessorProperty and syntax newer than this walker: every child node, in source order.
        const loose = node as unknown as AnyNode;
        for (const key in loose) {
          const value = loose[key];
          if (Array.isArray(value)) {
            for (const item of value) if (isNode(item)) visit(item);
          } else if (isNode(value)) visit(value);
        }
      }
    }
    ancestors.pop();
  };

  visit(program);
}
