// Minimal typings for CommonJS npm internals that ship no types of their own.
declare module '@npmcli/arborist' {
  const Arborist: new (options: Record<string, unknown>) => {
    loadVirtual(options?: Record<string, unknown>): Promise<any>;
    loadActual(options?: Record<string, unknown>): Promise<any>;
  };
  export default Arborist;
}

declare module '@npmcli/config' {
  const Config: new (options: Record<string, unknown>) => {
    load(): Promise<void>;
    get(key: string, where?: string): unknown;
    set(key: string, value: unknown, where?: string): void;
    data: Map<string, { data: Record<string, unknown> }>;
    flat: Record<string, unknown>;
    /** Reads `<localPrefix>/.npmrc` into the `project` layer (public in @npmcli/config). */
    loadProjectConfig(): Promise<void>;
    /** Finds the project folder (localPrefix) by walking up from cwd. */
    loadLocalPrefix(): Promise<void>;
  };
  export default Config;
}

declare module '@npmcli/config/lib/definitions/index.js' {
  export const definitions: Record<string, unknown>;
  export const shorthands: Record<string, unknown>;
  export const flatten: (...args: unknown[]) => unknown;
  export const nerfDarts: string[];
}

declare module 'npm-package-arg' {
  interface Result {
    type: 'git' | 'tag' | 'version' | 'range' | 'file' | 'directory' | 'remote' | 'alias';
    name: string | null;
    raw: string;
    rawSpec: string;
    fetchSpec: string | null;
    saveSpec: string | null;
    gitCommittish?: string | null;
    gitRange?: string | null;
    hosted?: { committish?: string | null } | null;
    subSpec?: Result;
  }
  function npa(arg: string, where?: string): Result;
  namespace npa {
    function resolve(name: string, spec: string, where?: string): Result;
  }
  export default npa;
}

declare module 'ssri' {
  interface Hash { algorithm: string; digest: string; source: string }
  interface Integrity { [algorithm: string]: Hash[] | undefined }
  export function parse(sri: string, options?: { strict?: boolean }): Integrity;
  /** The matching hash when the data has that integrity, else false. */
  export function checkData(data: Buffer, sri: string): Hash | false;
}

declare module '@npmcli/map-workspaces' {
  /** package.json `workspaces` (globs) → package name → absolute folder, as npm and Arborist read them. */
  function mapWorkspaces(options: { cwd: string; pkg: { workspaces?: unknown } }): Promise<Map<string, string>>;
  export default mapWorkspaces;
}
