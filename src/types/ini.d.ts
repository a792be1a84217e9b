// Minimal typings for `ini` (npm's .npmrc parser), which ships none.
declare module 'ini' {
  export function parse(text: string): Record<string, unknown>;
  const ini: { parse: typeof parse };
  export default ini;
}
