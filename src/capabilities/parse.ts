// Parses one JavaScript file with acorn, as Node.js would load it: ES
// module or script (CommonJS) from the extension and the package's "type",
// falling back to the other when the first does not parse (packages ship
// ESM in .js files of CommonJS packages for bundlers, and old CommonJS that
// is not valid in strict module code). A file neither mode accepts is a
// ParseFailure, never an exception.

import { parse, type Options, type Program } from 'acorn';

export type SourceType = 'module' | 'script';

const BASE: Omit<Options, 'sourceType'> = {
  ecmaVersion: 'latest',
  allowHashBang: true,
  // CommonJS wraps files in a function: top-level `return` is valid there.
  allowReturnOutsideFunction: true,
  allowAwaitOutsideFunction: true,
  allowReserved: true,
};

const MODULE: Options = { ...BASE, sourceType: 'module' };
const SCRIPT: Options = { ...BASE, sourceType: 'script' };

/** The source type Node.js gives a file: .mjs module, .cjs script, .js by the package's "type". */
export function sourceTypeOf(path: string, packageType: string | null): SourceType {
  if (path.endsWith('.mjs')) return 'module';
  if (path.endsWith('.cjs')) return 'script';
  return packageType === 'module' ? 'module' : 'script';
}

export type ParseResult = { ok: true; program: Program; sourceType: SourceType } | { ok: false; line: number; message: string };

// A .js file of a CommonJS package that has import/export statements is ESM
// for a bundler: try module first then, so a valid file costs one parse.
const ESM_HINT = /(?:^|[\n;}])\s*(?:import\s*[\w{*'"]|export\s+(?:default|const|let|var|function|class|async|\{|\*))/;

export function parseJavaScript(text: string, path: string, packageType: string | null): ParseResult {
  let first = sourceTypeOf(path, packageType);
  if (first === 'script' && !path.endsWith('.cjs') && ESM_HINT.test(text)) first = 'module';
  const second: SourceType = first === 'module' ? 'script' : 'module';
  let error: unknown;
  for (const sourceType of [first, second]) {
    try {
      return { ok: true, program: parse(text, sourceType === 'module' ? MODULE : SCRIPT), sourceType };
    } catch (caught) {
      // Report the error of the mode Node.js would use.
      error ??= caught;
    }
  }
  const loc = (error as { loc?: { line: number } }).loc;
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, line: loc?.line ?? 0, message: message.replace(/\s*\(\d+:\d+\)$/, '') };
}
