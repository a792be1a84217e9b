// The detector tables: which modules, members, globals and files show which
// capability. The analyser (analyse-js.ts, analyse-package.ts) only looks
// things up here, so adding a module or a member is one line. See
// docs/checks/capabilities.md for the reasoning behind each entry.

import type { Capability } from './types.js';

export interface ModuleRule {
  capability: Capability;
  /**
   * How members of the module are judged: 'child_process' (shell or not),
   * 'fs' (read or write), or none (importing the module is the evidence).
   */
  members?: 'child_process' | 'fs' | 'shell-always';
  /** Importing alone is weak evidence (fs: reading files is common; only writes count). */
  importLowSignal?: true;
}

const NETWORK: ModuleRule = { capability: 'network' };
const SHELL: ModuleRule = { capability: 'shell' };
const FS: ModuleRule = { capability: 'filesystem', members: 'fs', importLowSignal: true };
const NATIVE: ModuleRule = { capability: 'native' };

/**
 * Modules by name (after removing `node:` and any subpath: `fs/promises` ->
 * `fs`, `axios/lib/x` -> `axios`). Node.js built-ins and the well-known
 * packages that wrap them: a package that requires axios reaches the network
 * as surely as one that requires https.
 */
export const MODULES: Readonly<Record<string, ModuleRule>> = {
  // Node.js networking
  http: NETWORK,
  https: NETWORK,
  http2: NETWORK,
  net: NETWORK,
  tls: NETWORK,
  dgram: NETWORK,
  dns: NETWORK,
  // HTTP and WebSocket clients
  undici: NETWORK,
  axios: NETWORK,
  'node-fetch': NETWORK,
  got: NETWORK,
  request: NETWORK,
  superagent: NETWORK,
  ky: NETWORK,
  'cross-fetch': NETWORK,
  'isomorphic-fetch': NETWORK,
  needle: NETWORK,
  phin: NETWORK,
  'make-fetch-happen': NETWORK,
  'minipass-fetch': NETWORK,
  'npm-registry-fetch': NETWORK,
  ws: NETWORK,
  'isomorphic-ws': NETWORK,
  'socket.io-client': NETWORK,
  'faye-websocket': NETWORK,
  // Processes
  child_process: { capability: 'shell', members: 'child_process' },
  'cross-spawn': SHELL,
  execa: SHELL,
  '@npmcli/promise-spawn': SHELL,
  shelljs: { capability: 'shell', members: 'shell-always' },
  // Files
  fs: FS,
  'graceful-fs': FS,
  'fs-extra': FS,
  // Code from strings
  vm: { capability: 'dynamic-code' },
  // Native addon loaders
  bindings: NATIVE,
  'node-gyp-build': NATIVE,
  'node-gyp-build-optional-packages': NATIVE,
  'prebuild-install': NATIVE,
  '@mapbox/node-pre-gyp': NATIVE,
  'node-pre-gyp': NATIVE,
  '@discordjs/node-pre-gyp': NATIVE,
  'cmake-js': NATIVE,
};

/** child_process members that always go through a shell. */
export const SHELL_MEMBERS: ReadonlySet<string> = new Set(['exec', 'execSync']);
/** child_process members that start a process directly unless their options say `shell: true`. */
export const SPAWN_MEMBERS: ReadonlySet<string> = new Set(['spawn', 'spawnSync', 'execFile', 'execFileSync', 'fork']);

/**
 * fs members that change the file system. `Sync` suffixes are removed before
 * the lookup; fs-extra's additions are here too. `open` is judged by its
 * flags argument.
 */
export const FS_WRITES: ReadonlySet<string> = new Set([
  'writeFile', 'appendFile', 'createWriteStream', 'write', 'writev', 'mkdir', 'mkdtemp', 'rm', 'rmdir', 'unlink',
  'rename', 'copyFile', 'cp', 'symlink', 'link', 'chmod', 'lchmod', 'fchmod', 'chown', 'lchown', 'fchown',
  'truncate', 'ftruncate', 'utimes', 'futimes', 'lutimes',
  // fs-extra
  'outputFile', 'outputJson', 'outputJSON', 'writeJson', 'writeJSON', 'remove', 'emptyDir', 'emptydir', 'ensureDir',
  'ensureFile', 'ensureLink', 'ensureSymlink', 'createFile', 'createLink', 'createSymlink', 'mkdirs', 'mkdirp', 'move', 'copy',
]);

/** fs members that only read. */
export const FS_READS: ReadonlySet<string> = new Set([
  'readFile', 'createReadStream', 'read', 'readv', 'readdir', 'opendir', 'stat', 'lstat', 'fstat', 'statfs', 'exists',
  'access', 'realpath', 'readlink', 'watch', 'watchFile', 'glob', 'readJson', 'readJSON', 'pathExists',
]);

/** fs path segments that lead to the same functions: `fs.promises.writeFile`, `fsExtra.default.copy`. */
export const FS_NAMESPACES: ReadonlySet<string> = new Set(['promises', 'default']);

/** Browser and Node.js globals that reach the network when referenced (not under `typeof`). */
export const NETWORK_GLOBALS: ReadonlySet<string> = new Set(['fetch', 'WebSocket', 'XMLHttpRequest', 'EventSource']);

/** Names through which code reaches the global object: `globalThis.fetch`, `window.eval`. */
export const GLOBAL_OBJECTS: ReadonlySet<string> = new Set(['globalThis', 'global', 'window', 'self']);

/**
 * Module-interop helpers compilers wrap around `require` (TypeScript,
 * Babel, esbuild, SWC, Rollup): `__importStar(require('fs'))` is `require('fs')`.
 */
export const INTEROP_HELPERS: ReadonlySet<string> = new Set([
  '__importStar', '__importDefault', '__toESM', '__toCommonJS', '_interopRequireDefault', '_interopRequireWildcard',
  '_interop_require_default', '_interop_require_wildcard', 'interopRequireDefault', 'interopRequireWildcard', '__importWildcard',
  '_interopDefaultLegacy', '_interopDefault', '_interopNamespace', '_interopNamespaceDefault', '_interopNamespaceDefaultOnly',
]);

/** `process` members and what they show. */
export const PROCESS_MEMBERS: Readonly<Record<string, Capability>> = {
  env: 'environment',
  dlopen: 'native',
  binding: 'native',
  _linkedBinding: 'native',
};

/** process.binding() names that start processes without child_process. */
export const PROCESS_BINDINGS: ReadonlySet<string> = new Set(['spawn_sync', 'process_wrap']);

/** A require of a relative path like these loads a compiled addon (Node.js tries `.node` itself). */
export const NATIVE_REQUIRE = /\.node$|(?:^|\/)build\/(?:Release|Debug)\//;

/** Files that are (or build) native code. */
export const NATIVE_FILE = /(?:^|\/)binding\.gyp$|\.(?:node|so|dylib|dll)$/i;

/** The machine-code format a file starts with: ELF, Mach-O (32/64-bit, both byte orders, universal) or PE; null for anything else. */
export function executableFormat(bytes: Uint8Array): 'ELF' | 'Mach-O' | 'PE' | null {
  if (bytes.length < 4) return null;
  const [a, b, c, d] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (a === 0x7f && b === 0x45 && c === 0x4c && d === 0x46) return 'ELF';
  const word = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
  // 0xcafebabe is also a Java class file; callers leave .class files out.
  if (word === 0xfeedface || word === 0xfeedfacf || word === 0xcefaedfe || word === 0xcffaedfe || word === 0xcafebabe) return 'Mach-O';
  // "MZ" and a NUL byte in the first bytes: a DOS/PE header, not a text file that happens to start with MZ.
  if (a === 0x4d && b === 0x5a && bytes.subarray(0, 64).includes(0)) return 'PE';
  return null;
}

/**
 * Files a package ships that depending on it does not run: tests,
 * benchmarks, examples, docs, build-tool configs. Their evidence is weak
 * unless a runtime file of the package requires them.
 */
export const DEV_FILE =
  /(?:^|\/)(?:test|tests|__tests__|spec|specs|benchmarks?|bench|examples?|docs?|coverage|fixtures?|__mocks__|__fixtures__|e2e|demo)\/|(?:^|\/)[^/]*[.-](?:test|spec|bench)\.[cm]?js$|(?:^|\/)(?:gulpfile|gruntfile|jakefile|karma\.conf|webpack\.config|rollup\.config|vite\.config|vitest\.config|jest\.config|babel\.config|eslint\.config|\.eslintrc|prettier\.config|\.prettierrc|tsup\.config|\.mocharc)\.[cm]?js$/i;

/** Lifecycle scripts npm runs on install. */
export const INSTALL_EVENTS = ['preinstall', 'install', 'postinstall'] as const;

/**
 * Obfuscation hints. A line this long outside a bundle folder, an encoded
 * string this long, or this many javascript-obfuscator style identifiers.
 */
export const OBFUSCATION = {
  longLine: 10_000,
  minFileForLongLine: 20_000,
  encodedString: 1_000,
  hexIdentifiers: 20,
  /** Paths where minified single-line files are expected (bundles, builds). */
  bundlePath: /(?:^|\/)(?:dist|build|bundles?|umd|browser|cdn|min|esm|cjs|es|es5|es6|lib-dist|prebuilt|vendor|out|_bundles|standalone)\/|[.-](?:min|bundle|prod|production|umd)\.[cm]?js$/i,
  hexIdentifier: /^_0x[0-9a-f]{3,}$/i,
  base64: /^[A-Za-z0-9+/_-]+={0,2}$/,
  hex: /^(?:[0-9a-fA-F]{2})+$/,
};
