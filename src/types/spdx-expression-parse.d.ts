// spdx-expression-parse ships no types: it parses an SPDX licence expression
// into a tree and throws on anything else.
declare module 'spdx-expression-parse' {
  export type SpdxNode =
    | { license: string; plus?: true; exception?: string }
    | { conjunction: 'and' | 'or'; left: SpdxNode; right: SpdxNode };
  function parse(source: string): SpdxNode;
  export default parse;
}

// spdx-correct ships no types: a best guess at the SPDX expression a
// misspelled licence string means ('Apache 2.0' -> 'Apache-2.0'), or null.
declare module 'spdx-correct' {
  function correct(source: string, options?: { upgrade?: boolean }): string | null;
  export default correct;
}

// spdx-satisfies ships no types: whether an SPDX expression can be met using
// only the licences of a list (`-or-later` ranges and exceptions understood).
declare module 'spdx-satisfies' {
  function satisfies(expression: string, allowed: string[]): boolean;
  export default satisfies;
}
