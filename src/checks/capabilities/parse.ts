// Parses one JavaScript file with meriyah, as Node.js would load it: ES
// module or script (CommonJS) from the extension and the package's "type",
// falling back to the other when the first does not parse (packages ship
// ESM in .js files of CommonJS packages for bundlers, and old CommonJS that
// is not valid in strict module code). A file neither mode accepts is a
// ParseFailure, never an exception.
//
// meriyah rather than acorn: the same ESTree (the analyser's evidence is
// identical over the 34,000 files of the benchmark tree) in about half the
// time, pure JavaScript, no dependencies (BENCHMARKS.md, Capabilities).

import { isParseError, parse, type ESTree, type Options } from 'meriyah';

export type SourceType = 'module' | 'script';

const BASE: Options = {
  // start and end offsets (UTF-16, as the analyser slices text), no `range` arrays or line objects.
  ranges: { start: true, end: true, range: false },
  // Annex B, as Node.js runs scripts: HTML comments, legacy octal, sloppy-mode function hoisting.
  webcompat: true,
  // Stage-3 syntax (decorators, import attributes) that transpiled packages may still ship.
  next: true,
};

// CommonJS wraps files in a function: meriyah's 'commonjs' is a script that
// allows top-level `return`. A module allows top-level `await`.
const MODULE: Options = { ...BASE, sourceType: 'module' };
const SCRIPT: Options = { ...BASE, sourceType: 'commonjs' };

/** The source type Node.js gives a file: .mjs module, .cjs script, .js by the package's "type". */
export function sourceTypeOf(path: string, packageType: string | null): SourceType {
  if (path.endsWith('.mjs')) return 'module';
  if (path.endsWith('.cjs')) return 'script';
  return packageType === 'module' ? 'module' : 'script';
}

export type ParseResult = { ok: true; program: ESTree.Program; sourceType: SourceType } | { ok: false; line: number; message: string };

// A .js file of a CommonJS package that has import/export statements is ESM
// for a bundler: try module first then, so a valid file costs one parse.
// A statement starts the text or follows a newline, `;` or `}` (whitespace
// between); the keyword must be followed by what an import or export
// statement has.
const ESM_STATEMENT = /import\s*[\w{*'"]|export\s+(?:default|const|let|var|function|class|async|\{|\*)/y;
const SPACE = /\s/;

/**
 * Whether the text has an import or export statement. The same as testing
 * /(?:^|[\n;}])\s*(?:import…|export…)/ over the text, but it only looks at
 * the places where a keyword occurs: a regular expression tried at every
 * offset of a 10 MB file costs more than parsing much of it.
 */
export function hasEsmStatement(text: string): boolean {
  for (const keyword of ['import', 'export']) {
    for (let at = text.indexOf(keyword); at >= 0; at = text.indexOf(keyword, at + keyword.length)) {
      ESM_STATEMENT.lastIndex = at;
      if (!ESM_STATEMENT.test(text)) continue;
      let before = at;
      while (before > 0 && SPACE.test(text[before - 1]!)) {
        if (text.charCodeAt(before - 1) === 10) return true;
        before--;
      }
      if (before === 0) return true;
      const previous = text.charCodeAt(before - 1);
      if (previous === 59 || previous === 125) return true; // ; }
    }
  }
  return false;
}

export function parseJavaScript(text: string, path: string, packageType: string | null): ParseResult {
  let first = sourceTypeOf(path, packageType);
  if (first === 'script' && !path.endsWith('.cjs') && hasEsmStatement(text)) first = 'module';
  const second: SourceType = first === 'module' ? 'script' : 'module';
  let error: unknown;
  for (const sourceType of [first, second]) {
    try {
      // With the options above every node carries start and end (the analyser reads them with `!`).
      const program = parse(text, sourceType === 'module' ? MODULE : SCRIPT);
      return { ok: true, program, sourceType };
    } catch (caught) {
      // Report the error of the mode Node.js would use.
      error ??= caught;
    }
  }
  const message = isParseError(error) ? error.description : error instanceof Error ? error.message : String(error);
  const line = isParseError(error) ? error.loc.start.line : 0;
  // "Unexpected token: '<'" reads as the diagnostics always have ("Unexpected token"); the line says where.
  return { ok: false, line, message: message.replace(/^Unexpected token: .*$/s, 'Unexpected token') };
}
