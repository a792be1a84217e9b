// pinning: how the project's own package.json files (root and workspaces)
// declare their direct dependencies. A floating spec lets a new — possibly
// compromised — release in at the next lockfile refresh; a git branch, a
// tarball URL or a folder outside the repository can change under the same
// spec. Specs are read from the manifests as written (Arborist rewrites
// workspace specs on its edges), classified with npm-package-arg and
// analysed with semver.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import npa from 'npm-package-arg';
import { nameAtVersion } from '../../util/package-label.js';
import { toPosix } from '../../util/posix-path.js';
import semver, { type Comparator, type Range } from 'semver';
import type { DepGraph, DepNode } from '../../model.js';
import { isJsonObject, stringEntries } from '../../util/json.js';
import { defineCheck, type WithDefaults } from '../types.js';
import { catalogName, resolveCatalog } from '../../load/specs.js';
import { aliasOf, parseDescriptor, unwrapPatch } from '../../load/yarn/descriptors.js';

export const DEPENDENCY_TYPES = ['dependencies', 'optionalDependencies', 'devDependencies', 'peerDependencies'] as const;
export type DependencyType = (typeof DEPENDENCY_TYPES)[number];

export type PinningOptions = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

const VIA: Record<DependencyType, 'dev' | 'optional' | 'peer' | undefined> = {
  dependencies: undefined,
  optionalDependencies: 'optional',
  devDependencies: 'dev',
  peerDependencies: 'peer',
};

type Rule = 'wildcard' | 'dist-tag' | 'open-ended' | 'x-range' | 'range' | 'git-unpinned' | 'tarball-url' | 'file-outside-repo';

interface Verdict {
  rule: Rule;
  /** Extra message data (besides name, spec, dependencyType, file). */
  data?: Record<string, string>;
  /** Extra evidence (besides name, spec, dependencyType, file, workspace). */
  evidence?: Record<string, unknown>;
}

/** A package.json that declares dependencies: the root's or a workspace's. */
interface Declarer {
  /** '' for the root, else the workspace folder relative to the project. */
  location: string;
  manifest: Record<string, unknown>;
  /** Workspace name, or null for the root. */
  workspace: string | null;
  /** `name@version` of the workspace, the first step of its dependencies' paths. */
  label: string | null;
  /** Absolute folder, against which relative file specs resolve. */
  folder: string;
  /** The manifest file relative to the project, for evidence. */
  file: string;
}

const FULL_COMMIT = /^[0-9a-f]{40}$/i;

// semver exports its own grammar (untyped): one partial or full version, optionally with `v`/`=`.
const semverGrammar = semver as unknown as { src: string[]; tokens: Record<string, number> };
const PLAIN_X_RANGE = new RegExp(`^${semverGrammar.src[semverGrammar.tokens.XRANGEPLAINLOOSE!]}$`);

/** Hides credentials in a URL-shaped spec: user:password, or a token-as-user over http(s). */
function redact(spec: string): string {
  return spec.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^/@\s]+)@/i, (whole, scheme: string, userinfo: string) => {
    if (/https?:\/\/$/i.test(scheme)) return `${scheme}***@`;
    const colon = userinfo.indexOf(':');
    return colon < 0 ? whole : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}

type Parsed = ReturnType<typeof npa.resolve>;

/**
 * npm-package-arg's reading of a spec, or null when npm could not install it
 * (unsupported protocol such as `link:`, invalid git URL …). A name npm would
 * reject (`__proto__`) does not hide the spec: it is read without the name.
 */
function parseSpec(name: string, spec: string, folder: string): Parsed | null {
  try {
    return npa.resolve(name, spec, folder);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EINVALIDPACKAGENAME') return null;
    try {
      return npa.resolve(null as unknown as string, spec, folder);
    } catch {
      return null;
    }
  }
}

/** No lower and no upper bound: `*`, `x`, `""`, `>=0.0.0`. */
function acceptsAnything(set: readonly Comparator[]): boolean {
  return set.every((c) => c.value === '' || (c.operator === '>=' && c.semver.major === 0 && c.semver.minor === 0 && c.semver.patch === 0));
}

function hasUpperBound(set: readonly Comparator[]): boolean {
  return set.some((c) => c.operator === '<' || c.operator === '<=' || ((c.operator === '' || c.operator === '=') && c.value !== ''));
}

function judgeRange(range: string): Verdict | null {
  let parsed: Range;
  try {
    parsed = new semver.Range(range, { loose: true });
  } catch {
    return null;
  }
  if (parsed.set.some(acceptsAnything)) return { rule: 'wildcard' };
  if (parsed.set.some((set) => !hasUpperBound(set))) return { rule: 'open-ended' };
  // The comparator sets of `1.x` and `^1.0.0` are the same: tell them apart by how each alternative is written.
  const alternatives = range.split('||').map((alternative) => alternative.trim());
  const partial = alternatives.filter((alternative) => PLAIN_X_RANGE.test(alternative) && semver.valid(alternative, { loose: true }) === null);
  if (partial.length > 0 && alternatives.every((alternative) => PLAIN_X_RANGE.test(alternative))) return { rule: 'x-range' };
  return { rule: 'range' };
}

/** Registry specs: exact versions, ranges and dist-tags (also an alias's target). */
function judgeRegistrySpec(parsed: Parsed): Verdict | null {
  switch (parsed.type) {
    case 'version':
      return null;
    case 'tag':
      return { rule: 'dist-tag', data: { tag: parsed.fetchSpec ?? parsed.rawSpec }, evidence: { tag: parsed.fetchSpec ?? parsed.rawSpec } };
    case 'range':
      return judgeRange(parsed.fetchSpec ?? parsed.rawSpec);
    default:
      return null;
  }
}

function judgeGit(parsed: Parsed): Verdict | null {
  if (parsed.gitRange) {
    const ref = `semver:${parsed.gitRange}`;
    return { rule: 'git-unpinned', data: { ref }, evidence: { committish: null, gitRange: parsed.gitRange } };
  }
  const committish = parsed.gitCommittish ?? null;
  if (committish !== null && FULL_COMMIT.test(committish)) return null;
  return { rule: 'git-unpinned', data: { ref: committish ?? 'the default branch' }, evidence: { committish } };
}

function isWorkspaceFolder(graph: DepGraph, path: string): boolean {
  return graph.workspaces.some((workspace) => resolve(graph.projectPath, workspace.location) === path);
}

function judgeLocal(graph: DepGraph, parsed: Parsed): Verdict | null {
  const target = parsed.fetchSpec;
  if (!target || isWorkspaceFolder(graph, target)) return null;
  const fromRoot = relative(graph.projectPath, target);
  const outside = isAbsolute(fromRoot) || fromRoot === '..' || fromRoot.startsWith(`..${sep}`);
  if (!outside) return null;
  const path = toPosix(fromRoot);
  return { rule: 'file-outside-repo', data: { path }, evidence: { path } };
}

/** A spec npm itself cannot read (`link:`, a broken git URL): a diagnostic, not a finding. */
const UNREADABLE = Symbol('unreadable');

/** The catalogs a `catalog:` spec resolves against: pnpm-workspace.yaml's as declared now, else the lockfile's record. */
function catalogsOf(graph: DepGraph): Record<string, Record<string, string>> {
  return { ...(graph.lockfile?.catalogs ?? {}), ...(graph.lockfile?.workspaceCatalogs ?? {}) };
}

function judge(graph: DepGraph, name: string, spec: string, folder: string): Verdict | null | typeof UNREADABLE {
  // npm has no `workspace:` protocol; yarn and pnpm use it for workspace links, which are fine.
  if (spec.startsWith('workspace:')) return null;
  // pnpm's `catalog:` stands for the spec its catalog holds: that spec is what floats or not.
  const catalog = catalogName(spec);
  if (catalog !== null) {
    const resolved = resolveCatalog(name, spec, catalogsOf(graph));
    if (resolved === null || resolved.startsWith('catalog:')) return UNREADABLE;
    const verdict = judge(graph, name, resolved, folder);
    if (verdict === null || verdict === UNREADABLE) return verdict;
    return { ...verdict, evidence: { ...verdict.evidence, catalog, catalogSpec: resolved } };
  }
  // pnpm's (and yarn's) `link:` is a folder, as npm's `file:<folder>` is; npm itself cannot read it.
  if (spec.startsWith('link:') && (graph.lockfile?.manager ?? 'npm') !== 'npm') return judge(graph, name, `file:${spec.slice('link:'.length)}`, folder);
  if (graph.lockfile?.manager === 'yarn') {
    const verdict = judgeYarnProtocol(graph, name, spec, folder);
    if (verdict !== undefined) return verdict;
  }
  const parsed = parseSpec(name, spec, folder);
  if (!parsed) return UNREADABLE;
  switch (parsed.type) {
    case 'alias': {
      if (!parsed.subSpec) return null;
      const verdict = judgeRegistrySpec(parsed.subSpec);
      return verdict && { ...verdict, evidence: { ...verdict.evidence, aliasOf: parsed.subSpec.name } };
    }
    case 'version':
    case 'tag':
    case 'range':
      return judgeRegistrySpec(parsed);
    case 'git':
      return judgeGit(parsed);
    case 'remote': {
      const url = redact(parsed.fetchSpec ?? spec);
      return { rule: 'tarball-url', data: { url }, evidence: { url, insecure: /^http:/i.test(url) } };
    }
    case 'file':
    case 'directory':
      return judgeLocal(graph, parsed);
    default:
      return null;
  }
}

/**
 * yarn's own protocols: `patch:<spec>#<patch>` installs the spec it wraps
 * with a patch applied, so that spec is what floats or not; `portal:` is a
 * folder (like `link:`, but its dependencies install too); berry's
 * `npm:<range>` is the range. undefined: not a yarn protocol.
 */
function judgeYarnProtocol(graph: DepGraph, name: string, spec: string, folder: string): Verdict | null | typeof UNREADABLE | undefined {
  const patch = unwrapPatch(spec);
  if (patch) {
    const inner = parseDescriptor(patch.inner);
    if (!inner || inner.range === '') return UNREADABLE;
    const verdict = judge(graph, name, inner.name === name ? inner.range : `npm:${inner.name}@${inner.range.replace(/^npm:/, '')}`, folder);
    if (verdict === null || verdict === UNREADABLE) return verdict;
    return { ...verdict, evidence: { ...verdict.evidence, patch: patch.patch } };
  }
  if (spec.startsWith('portal:')) return judge(graph, name, `file:${spec.slice('portal:'.length)}`, folder);
  if (spec.startsWith('npm:') && aliasOf(spec) === null) return judge(graph, name, spec.slice('npm:'.length), folder);
  return undefined;
}

function declarers(graph: DepGraph): Declarer[] {
  const list: Declarer[] = [{ location: '', manifest: graph.manifest, workspace: null, label: null, folder: graph.projectPath, file: 'package.json' }];
  for (const [location, manifest] of graph.workspaceManifests) {
    const name = graph.workspaces.find((workspace) => workspace.location === location)?.name ?? (typeof manifest.name === 'string' ? manifest.name : location);
    const node = graph.nodes.get(location);
    const version = node?.version ?? (typeof manifest.version === 'string' ? manifest.version : '');
    list.push({ location, manifest, workspace: name, label: `${name}@${version}`, folder: join(graph.projectPath, location), file: `${location}/package.json` });
  }
  return list;
}

/** The node a declarer's dependency resolved to, through its edge of that name. */
function resolvedNode(graph: DepGraph, declarer: Declarer, name: string): DepNode | null {
  const edge = graph.nodes.get(declarer.location)?.edgesOut.find((e) => e.name === name);
  return edge?.to == null ? null : (graph.nodes.get(edge.to) ?? null);
}

function readOptions(options: Partial<PinningOptions> | undefined): PinningOptions {
  return {
    rangesAllowedIn: Array.isArray(options?.rangesAllowedIn) ? options.rangesAllowedIn : ['devDependencies', 'peerDependencies'],
    ignore: Array.isArray(options?.ignore) ? options.ignore : [],
  };
}

const WHERE = '{name} in {dependencyType} of {file}';

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Dependency types where caret, tilde, hyphen and x-ranges are accepted. */
    rangesAllowedIn: { type: 'array', items: { enum: [...DEPENDENCY_TYPES] }, uniqueItems: true },
    /** Dependency names (as written in package.json) to skip. */
    ignore: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true },
  },
} as const satisfies JSONSchema;

const defaultOptions = { rangesAllowedIn: ['devDependencies', 'peerDependencies'], ignore: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<PinningOptions>({
  meta: {
    id: 'pinning',
    description: 'Direct dependencies of the project and its workspaces are declared with exact versions, full git commits and sources inside the repository.',
    rules: {
      wildcard: {
        description: 'A dependency accepts any version: `*`, `x`, an empty spec or `>=0.0.0`.',
        severity: 'high',
        message: `${WHERE} is "{spec}", which accepts any version, including a malicious one published tomorrow`,
      },
      'dist-tag': {
        description: 'A dependency follows a dist-tag (`latest`, `next`, …), which the publisher can move to any version.',
        severity: 'high',
        message: `${WHERE} follows the dist-tag "{tag}", which whoever can publish the package can point at any version`,
      },
      'open-ended': {
        description: 'A range without an upper bound (`>=1.2.0`, `>1`, `1.0.0 || >=2`) accepts every future major version.',
        severity: 'high',
        message: `${WHERE} is "{spec}", a range with no upper bound that accepts every future version`,
      },
      'x-range': {
        description: 'A partial version (`1`, `1.2`, `1.x`, `1.2.x`) accepts new releases; allowed where the `rangesAllowedIn` option says.',
        severity: 'moderate',
        message: `${WHERE} is the partial version "{spec}", which accepts new releases as they are published`,
      },
      range: {
        description: 'A caret, tilde, hyphen or other bounded range accepts new releases; allowed where the `rangesAllowedIn` option says (devDependencies and peerDependencies by default).',
        severity: 'moderate',
        message: `${WHERE} is the range "{spec}", which accepts new releases as they are published instead of an exact version`,
      },
      'git-unpinned': {
        description: 'A git dependency names a branch, tag, short sha or semver range instead of a full commit hash, so its code can change under the same spec.',
        severity: 'high',
        message: `${WHERE} comes from git at {ref} instead of a full 40-character commit hash, so the code behind it can change`,
      },
      'tarball-url': {
        description: 'A dependency is a tarball URL: whoever controls the URL controls the code, and plain http lets the network change it.',
        severity: 'high',
        message: `${WHERE} is downloaded from {url}, which can serve different code under the same spec`,
      },
      'file-outside-repo': {
        description: 'A `file:` or directory dependency points outside the project folder, so the build depends on whatever is on the machine.',
        severity: 'moderate',
        message: `${WHERE} points to {path}, outside the project folder, so what is installed depends on the machine`,
      },
    },
    optionsSchema,
    defaultOptions,
    needs: [],
  },
  run(context) {
    const { graph } = context;
    const options = readOptions(context.options);
    const ignored = new Set(options.ignore);
    const rangesAllowed = new Set<string>(options.rangesAllowedIn);
    const workspaceNames = new Set(graph.workspaces.map((workspace) => workspace.name));
    for (const declarer of declarers(graph)) {
      const optional = declarer.manifest.optionalDependencies;
      for (const dependencyType of DEPENDENCY_TYPES) {
        for (const [name, spec] of stringEntries(declarer.manifest[dependencyType])) {
          if (ignored.has(name)) continue;
          // npm lets optionalDependencies override a same-named entry in dependencies.
          if (dependencyType === 'dependencies' && isJsonObject(optional) && Object.hasOwn(optional, name)) continue;
          const verdict = judge(graph, name, spec, declarer.folder);
          if (verdict === UNREADABLE) {
            context.diagnostic({
              level: 'warning',
              code: 'UNREADABLE_SPEC',
              message: `${declarer.file}: ${dependencyType}["${name}"] is ${JSON.stringify(redact(spec))}, which npm cannot read; it was not judged`,
              file: declarer.file,
            });
            continue;
          }
          if (!verdict) continue;
          if ((verdict.rule === 'range' || verdict.rule === 'x-range') && rangesAllowed.has(dependencyType)) continue;
          const node = resolvedNode(graph, declarer, name);
          // A sibling workspace satisfies the spec through a link, whatever range it names.
          if (node ? node.isWorkspace : workspaceNames.has(name)) continue;
          const writtenSpec = verdict.rule === 'tarball-url' || verdict.rule === 'git-unpinned' ? redact(spec) : spec;
          const catalogSpec = typeof verdict.evidence?.catalogSpec === 'string' ? verdict.evidence.catalogSpec : null;
          const shownSpec = catalogSpec === null ? writtenSpec : `${writtenSpec} (${catalogSpec} in the catalog)`;
          const steps = [...(declarer.label ? [declarer.label] : []), ...(node ? [nameAtVersion(node)] : [])];
          const via = VIA[dependencyType];
          context.report({
            rule: verdict.rule,
            node,
            data: { name, spec: shownSpec, dependencyType, file: declarer.file, ...verdict.data },
            evidence: {
              name,
              dependencyType,
              spec: writtenSpec,
              file: declarer.file,
              ...(declarer.workspace !== null ? { workspace: declarer.workspace } : {}),
              ...verdict.evidence,
            },
            paths: steps.length > 0 ? [steps] : [],
            ...(node ? {} : { package: { name, version: '', location: '' } }),
            ...(via ? { via } : {}),
          });
        }
      }
    }
  },
});
