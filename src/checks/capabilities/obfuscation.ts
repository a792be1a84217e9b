// Signs of obfuscation in one JavaScript file, judged on the whole file once
// the walk has counted what it saw: javascript-obfuscator style identifiers,
// long encoded strings in a file that evaluates code, and (a weak hint) a
// very long line outside a bundle folder. Also the line index the analysis
// reports evidence with.

import type { FileEvidence } from './types.js';
import { OBFUSCATION } from './detectors.js';

/** A function from a character offset to its 1-based line, built on first use. */
export function lineIndex(text: string): (offset: number) => number {
  let lineStarts: number[] | null = null;
  return (offset: number): number => {
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
}

/** What the walk counted that bears on obfuscation. */
export interface ObfuscationCounts {
  hexIdentifiers: number;
  /** Offset of the first of them, or -1. */
  firstHexIdentifier: number;
  /** The file evaluates code (eval, Function). */
  evaluates: boolean;
  /** Long encoded string literals: where, which encoding, how long. */
  encoded: Array<{ start: number; kind: string; length: number }>;
}

export function obfuscationEvidence(text: string, file: string, lineOf: (offset: number) => number, counts: ObfuscationCounts): FileEvidence[] {
  const { hexIdentifiers, firstHexIdentifier, evaluates, encoded } = counts;
  const found: FileEvidence[] = [];
  // Obfuscation hints: judged on the whole file.
  if (hexIdentifiers >= OBFUSCATION.hexIdentifiers) {
    found.push({ capability: 'obfuscation', file, line: lineOf(firstHexIdentifier), kind: 'pattern', what: `${hexIdentifiers} identifiers named like _0x1a2b (javascript-obfuscator)` });
  }
  if (evaluates) {
    for (const string of encoded) {
      found.push({ capability: 'obfuscation', file, line: lineOf(string.start), kind: 'pattern', what: `${string.kind}-encoded text of ${string.length} characters in a file that evaluates code` });
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
      found.push({ capability: 'obfuscation', file, line: lineOf(longestStart), kind: 'pattern', what: `a line of ${longest} characters outside a bundle folder`, lowSignal: true });
    }
  }
  return found;
}
