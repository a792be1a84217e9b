// Reads bun.lock's text. bun.lock is JSONC: bun writes a trailing comma after
// every last element and accepts comments, both of which JSON.parse rejects,
// so it is parsed with jsonc-parser (Microsoft's, the one VS Code uses; kept
// exact-pinned in package.json). Its syntax tree also gives the offset of
// every `packages` key, which becomes the line a finding points at (SARIF,
// report). Values are rebuilt from the tree with own properties only, so a
// key named `__proto__` stays an ordinary key.

import { parseTree, printParseErrorCode, stripComments, type Node, type ParseError } from 'jsonc-parser';
import { DepguardError } from '../../errors.js';
import { define } from '../node.js';
import type { JsonObject } from '../../util/json.js';

export const BUN_HINT = 'regenerate it with `bun install --lockfile-only --ignore-scripts`';

export interface BunDocument {
  /** The lockfile object, or null for a file with no JSON value (empty, comments only). */
  value: JsonObject | null;
  /** 1-based line of each `packages` key. */
  packageLines: Map<string, number>;
}

/** Offsets of the start of each line, for offset → line by binary search. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let index = text.indexOf('\n'); index >= 0; index = text.indexOf('\n', index + 1)) starts.push(index + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low + 1;
}

function toValue(node: Node): unknown {
  switch (node.type) {
    case 'object': {
      const object: JsonObject = {};
      for (const property of node.children ?? []) {
        const [key, value] = property.children ?? [];
        if (key && value) define(object, String(key.value), toValue(value));
      }
      return object;
    }
    case 'array':
      return (node.children ?? []).map(toValue);
    default:
      return node.value;
  }
}

export function readBunDocument(text: string, file: string): BunDocument {
  // An empty file, or comments only: no lockfile content yet.
  if (stripComments(text).trim() === '') return { value: null, packageLines: new Map() };
  const errors: ParseError[] = [];
  let tree: Node | undefined;
  let value: unknown;
  try {
    tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    value = tree ? toValue(tree) : null;
  } catch (error) {
    // A hostile file nested thousands of levels deep exhausts the stack of a recursive parser.
    if (error instanceof RangeError) throw new DepguardError('EBAD_LOCKFILE', `${file} is nested too deeply to be a bun lockfile`, { file, hint: BUN_HINT });
    throw error;
  }
  const starts = lineStarts(text);
  const first = errors[0];
  if (first) {
    const line = lineOf(starts, first.offset);
    const column = first.offset - starts[line - 1]! + 1;
    throw new DepguardError('EBAD_LOCKFILE', `${file} is not valid JSONC (line ${line}, column ${column}): ${printParseErrorCode(first.error)}`, { file, hint: BUN_HINT });
  }
  const packageLines = new Map<string, number>();
  if (!tree) return { value: null, packageLines };
  if (tree.type !== 'object') {
    throw new DepguardError('EBAD_LOCKFILE', `${file} is not a bun lockfile: expected an object, found ${tree.type === 'array' ? 'an array' : `a ${tree.type}`}`, { file, hint: BUN_HINT });
  }
  const packages = tree.children?.find((property) => property.children?.[0]?.value === 'packages')?.children?.[1];
  for (const property of packages?.type === 'object' ? (packages.children ?? []) : []) {
    const key = property.children?.[0];
    if (key) packageLines.set(String(key.value), lineOf(starts, key.offset));
  }
  return { value: value as JsonObject, packageLines };
}
