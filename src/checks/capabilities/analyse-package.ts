// Capabilities of one package from its files: every JavaScript file parsed
// and analysed (analyse-js.ts), compiled binaries and binding.gyp, and the
// package.json fields npm acts on (install scripts, gypfile). Files that do
// not parse or exceed the size limit are counted and named, never fatal.

import { classifyScripts } from '../install-scripts/classify.js';
import { manifestFields } from '../manifest-confusion/fields.js';
import { compareStrings } from '../../util/compare.js';
import { jsonObjectOrNull, stringEntries } from '../../util/json.js';
import { analyseJavaScript, type FileAnalysis, type FileEvidence } from './analyse-js.js';
import { DEV_FILE, executableFormat, INSTALL_EVENTS, NATIVE_FILE } from './detectors.js';
import { mayBeBinary, type PackageFile } from './files.js';
import { parseJavaScript } from './parse.js';
import { CAPABILITIES, type Capability, type CapabilitySummary, type Evidence, type PackageAnalysis } from './types.js';

export interface AnalyseOptions {
  /** JavaScript files larger than this are not parsed (named in `skippedFiles`). */
  maxFileBytes: number;
}

export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;
/** Places kept per capability (the count covers them all). */
export const EVIDENCE_KEPT = 10;
const FAILURES_KEPT = 10;
const KEYS_KEPT = 100;

interface Manifest {
  type: string | null;
  bin: Set<string>;
  scripts: Record<string, string>;
  gypfile: boolean | null;
  text: string;
}

function readManifest(file: PackageFile | undefined): Manifest | null {
  if (!file) return null;
  const text = file.data.toString('utf8');
  const data = jsonObjectOrNull(text);
  if (!data) return null;
  const bin = new Set<string>();
  const rawBin = data.bin;
  const binPaths = typeof rawBin === 'string' ? [rawBin] : stringEntries(rawBin).map(([, path]) => path);
  for (const path of binPaths) bin.add(path.replace(/^\.\//, ''));
  return {
    type: typeof data.type === 'string' ? data.type : null,
    bin,
    scripts: Object.fromEntries(stringEntries(data.scripts)),
    gypfile: typeof data.gypfile === 'boolean' ? data.gypfile : null,
    text,
  };
}

/** The 1-based line of `"key":` in a JSON text, searching after `after` when it occurs; 1 when not found. */
function jsonKeyLine(text: string, key: string, after?: string): number {
  const from = after ? Math.max(0, text.indexOf(`"${after}"`)) : 0;
  const match = new RegExp(`"${key}"\\s*:`).exec(text.slice(from));
  if (!match) return 1;
  return text.slice(0, from + match.index).split('\n').length;
}

function dirname(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

function isScript(file: PackageFile, bin: ReadonlySet<string>): boolean {
  if (/\.[cm]?js$/.test(file.path) || bin.has(file.path)) return true;
  // An extensionless file that starts with a node shebang.
  if (/\.[^/]*$/.test(file.path) || file.data[0] !== 0x23 || file.data[1] !== 0x21) return false;
  const firstLine = file.data.subarray(0, Math.min(file.data.length, 200)).toString('utf8').split('\n')[0]!;
  return /\bnode\b/.test(firstLine);
}

function evidenceOrder(a: Evidence, b: Evidence): number {
  return Number(a.lowSignal === true) - Number(b.lowSignal === true) || compareStrings(a.file, b.file) || a.line - b.line || compareStrings(a.what, b.what);
}

/** Groups places by capability: duplicates removed, strong ones first, the first few kept, details gathered. */
export function summariseEvidence(found: FileEvidence[]): Partial<Record<Capability, CapabilitySummary>> {
  const groups = new Map<Capability, Map<string, Evidence>>();
  for (const { capability, ...evidence } of found) {
    let group = groups.get(capability);
    if (!group) groups.set(capability, (group = new Map()));
    const key = `${evidence.file}\0${evidence.line}\0${evidence.what}\0${evidence.key ?? ''}`;
    const known = group.get(key);
    // The same place found twice (an import and its member): keep the stronger, richer one.
    if (!known || (known.lowSignal && !evidence.lowSignal) || (evidence.shell && !known.shell)) group.set(key, evidence);
  }
  const result: Partial<Record<Capability, CapabilitySummary>> = {};
  for (const capability of CAPABILITIES) {
    const group = groups.get(capability);
    if (!group) continue;
    const all = [...group.values()].sort(evidenceOrder);
    const summary: CapabilitySummary = { count: all.length, strong: all.filter((e) => !e.lowSignal).length, evidence: all.slice(0, EVIDENCE_KEPT) };
    if (capability === 'shell') summary.shell = all.some((e) => e.shell === true);
    if (capability === 'filesystem') summary.access = (['read', 'write'] as const).filter((access) => all.some((e) => e.access === access));
    if (capability === 'environment') summary.keys = [...new Set(all.map((e) => e.key).filter((key): key is string => key !== undefined))].sort().slice(0, KEYS_KEPT);
    result[capability] = summary;
  }
  return result;
}

/** Bytes of a file's start that tell a binary (executableFormat reads the first 64). */
const HEADER_BYTES = 64;

/**
 * The files with only the bytes analysePackage reads: scripts and manifests
 * in full, the header of files that may be binaries, nothing of the rest
 * (type declarations, source maps, docs: about 60 % of the unpacked bytes of
 * the benchmark tree). Sizes are kept, so the answer is the same; a worker
 * thread is sent only this.
 */
export function bytesAnalysed(files: PackageFile[]): PackageFile[] {
  const bin = readManifest(files.find((file) => file.path === 'package.json'))?.bin ?? new Set<string>();
  const empty = Buffer.alloc(0);
  return files.map((file) => {
    if (isScript(file, bin) || file.path === 'package.json' || file.path.endsWith('/package.json')) return file;
    if (!NATIVE_FILE.test(file.path) && mayBeBinary(file.path) && !file.path.endsWith('.class')) {
      return file.data.length > HEADER_BYTES ? { ...file, data: file.data.subarray(0, HEADER_BYTES) } : file;
    }
    return file.data.length > 0 ? { ...file, data: empty } : file;
  });
}

export function analysePackage(files: PackageFile[], options: AnalyseOptions = { maxFileBytes: DEFAULT_MAX_FILE_BYTES }): PackageAnalysis {
  const found: FileEvidence[] = [];
  const analysis: PackageAnalysis = { capabilities: {}, files: { total: files.length, parsed: 0, failed: 0, skipped: 0 }, parseErrors: [], skippedFiles: [] };

  // The "type" of the nearest package.json decides how a .js file is parsed.
  const types = new Map<string, string | null>();
  for (const file of files) {
    if (file.path === 'package.json' || file.path.endsWith('/package.json')) types.set(dirname(file.path), readManifest(file)?.type ?? null);
  }
  const typeFor = (path: string): string | null => {
    for (let dir = dirname(path); ; dir = dirname(dir)) {
      const type = types.get(dir);
      if (type !== undefined) return type;
      if (dir === '') return null;
    }
  };
  const manifest = readManifest(files.find((file) => file.path === 'package.json'));
  const bin = manifest?.bin ?? new Set<string>();
  const scripts = new Map<string, FileAnalysis>();

  for (const file of files) {
    if (isScript(file, bin)) {
      if (file.size > options.maxFileBytes) {
        analysis.files.skipped++;
        if (analysis.skippedFiles.length < FAILURES_KEPT) analysis.skippedFiles.push(file.path);
        continue;
      }
      let text = file.data.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const parsed = parseJavaScript(text, file.path, typeFor(file.path));
      if (!parsed.ok) {
        analysis.files.failed++;
        if (analysis.parseErrors.length < FAILURES_KEPT) analysis.parseErrors.push({ file: file.path, line: parsed.line, message: parsed.message });
        continue;
      }
      analysis.files.parsed++;
      const result = analyseJavaScript(text, file.path, parsed.program);
      scripts.set(file.path, result);
      for (const evidence of result.evidence) found.push(evidence);
      continue;
    }
    if (NATIVE_FILE.test(file.path)) {
      const gyp = file.path.endsWith('binding.gyp');
      found.push({ capability: 'native', file: file.path, line: 0, kind: 'file', what: gyp ? 'binding.gyp: node-gyp builds a native addon' : 'compiled native addon' });
      continue;
    }
    if (mayBeBinary(file.path) && !file.path.endsWith('.class')) {
      const format = executableFormat(file.data);
      if (format) found.push({ capability: 'native', file: file.path, line: 0, kind: 'file', what: `${format} executable` });
    }
  }

  if (manifest) {
    if (manifest.gypfile === true) {
      found.push({ capability: 'native', file: 'package.json', line: jsonKeyLine(manifest.text, 'gypfile'), kind: 'manifest', what: '"gypfile": true' });
    }
    const events = INSTALL_EVENTS.filter((event) => Object.hasOwn(manifest.scripts, event));
    for (const event of events) {
      const script = manifest.scripts[event]!;
      const flags = classifyScripts({ [event]: script });
      const invokes = [...flags.fetches, ...flags.executes, ...flags.buildsNative];
      found.push({ capability: 'install-time', file: 'package.json', line: jsonKeyLine(manifest.text, event, 'scripts'), kind: 'script', what: `${event}: ${script}`.slice(0, 100), ...(invokes.length > 0 ? { invokes } : {}) });
    }
    // npm runs `node-gyp rebuild` for a binding.gyp when there is no install or preinstall script.
    const hasGyp = files.some((file) => file.path === 'binding.gyp');
    if (hasGyp && manifest.gypfile !== false && !events.includes('install') && !events.includes('preinstall')) {
      found.push({ capability: 'install-time', file: 'binding.gyp', line: 0, kind: 'file', what: 'install: node-gyp rebuild (npm runs it for binding.gyp)', invokes: ['node-gyp'] });
    }
  }

  // Evidence in dev-only files (tests, benchmarks, build configs) that no runtime file requires is weak.
  const reached = reachable(scripts, new Set(files.map((file) => file.path)), runtimeRoots(scripts, bin, manifest));
  for (const evidence of found) {
    if (evidence.file !== 'package.json' && DEV_FILE.test(evidence.file) && !reached.has(evidence.file)) {
      evidence.lowSignal = true;
      evidence.devOnly = true;
    }
  }

  analysis.capabilities = summariseEvidence(found);
  const packageJson = files.find((file) => file.path === 'package.json');
  analysis.manifest = packageJson ? manifestFields(packageJson.data.toString('utf8'), files.some((file) => file.path === 'binding.gyp')) : null;
  return analysis;
}

/** Where running the package starts: its JavaScript outside dev-only paths, its bins, files its install scripts run. */
function runtimeRoots(scripts: ReadonlyMap<string, FileAnalysis>, bin: ReadonlySet<string>, manifest: Manifest | null): string[] {
  const roots = [...scripts.keys()].filter((path) => !DEV_FILE.test(path));
  roots.push(...bin);
  for (const event of INSTALL_EVENTS) {
    const script = manifest?.scripts[event];
    if (!script) continue;
    for (const match of script.matchAll(/\bnode\s+(?:-\S+\s+)*([^\s;&|'"]+)/g)) roots.push(normalisePath(match[1]!) ?? '');
  }
  return roots;
}

/** `a/b/../c` -> `a/c`; null when the path leaves the package. */
function normalisePath(path: string): string | null {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

const RESOLVE_SUFFIXES = ['', '.js', '.cjs', '.mjs', '.json', '.node', '/index.js', '/index.cjs', '/index.mjs'];

/** Files reached from the roots by constant relative requires and imports (Node.js's extension and index lookup). */
function reachable(scripts: ReadonlyMap<string, FileAnalysis>, files: ReadonlySet<string>, roots: string[]): Set<string> {
  const reached = new Set<string>();
  const pending = roots.filter((root) => files.has(root));
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (reached.has(path)) continue;
    reached.add(path);
    for (const specifier of scripts.get(path)?.requires ?? []) {
      const base = normalisePath(`${dirname(path)}/${specifier}`);
      if (base === null) continue;
      const target = RESOLVE_SUFFIXES.map((suffix) => base + suffix).find((candidate) => files.has(candidate));
      if (target && !reached.has(target)) pending.push(target);
    }
  }
  return reached;
}
