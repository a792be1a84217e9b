// Minimal typings for npm-registry-fetch (CommonJS, no bundled types): the
// parts depguard's registry client uses.
declare module 'npm-registry-fetch' {
  interface RegistryResponse {
    status: number;
    url: string;
    headers: { get(name: string): string | null; has(name: string): boolean };
    body: NodeJS.ReadableStream & { resume(): unknown };
    json(): Promise<unknown>;
    buffer(): Promise<Buffer>;
  }
  function npmFetch(url: string, options?: Record<string, unknown>): Promise<RegistryResponse>;
  export default npmFetch;
  export type { RegistryResponse };
}
