// spdx-expression-parse ships no types: it parses an SPDX licence expression
// and throws on anything else. depguard only asks whether it parses.
declare module 'spdx-expression-parse' {
  function parse(source: string): unknown;
  export default parse;
}
