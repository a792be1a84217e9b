// What an SBOM says about a project, from depguard's DepGraph, so that every
// lockfile format depguard loads (npm, and the pnpm / yarn / bun loaders)
// gets the same bill of materials: one component per package version
// (copies of the same name@version at several locations are one component,
// as `npm sbom`'s name@version refs are), workspaces as components of their
// own, the project as the subject. Pure: the CycloneDX and SPDX writers
// (sbom-cyclonedx.ts, sbom-spdx.ts) and the OpenVEX writer only format it.

import { basename } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { parse as parseSri } from 'ssri';
import { readLicense, type LicenseReading } from '../checks/license/classify.js';
import type { DepGraph, DepNode } from '../model.js';
import { compareStrings } from '../util/compare.js';

export type HashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface SbomComponent {
  /** Unique in the document: `name@version`, with the first location appended when two packages share it. */
  ref: string;
  /** The registry name (`@scope/name`), never what the tarball's package.json claims. */
  name: string;
  version: string;
  purl: string;
  /** required: production; optional: only optional dependencies need it; excluded: development only. */
  scope: 'required' | 'optional' | 'excluded';
  /** From the lockfile's integrity (every algorithm it records), as hex. */
  hashes: Array<{ algorithm: HashAlgorithm; hex: string }>;
  license: LicenseReading;
  /** Where it came from: the `resolved` URL, else null. */
  resolved: string | null;
  source: DepNode['source'];
  /** Every location of this name@version in the tree. */
  locations: string[];
  workspace: boolean;
  /** Refs of the components it depends on. */
  dependsOn: string[];
  /** By dependency type, for SPDX's DEPENDENCY_OF / DEV_DEPENDENCY_OF / OPTIONAL_DEPENDENCY_OF / PREREQUISITE_FOR. */
  edges: Array<{ ref: string; type: 'prod' | 'dev' | 'optional' | 'peer' }>;
}

export interface SbomModel {
  tool: { name: string; version: string };
  /** The project: the document's subject. */
  subject: SbomComponent;
  /** Sorted by ref. */
  components: SbomComponent[];
  /** The day the document is dated (YYYY-MM-DD, --date), or null for an undated document. */
  date: string | null;
}

const ALGORITHMS: Record<string, HashAlgorithm> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

export function hashesOf(integrity: string | null): SbomComponent['hashes'] {
  if (!integrity) return [];
  const parsed = parseSri(integrity);
  const hashes: SbomComponent['hashes'] = [];
  for (const [algorithm, entries] of Object.entries(parsed)) {
    const name = ALGORITHMS[algorithm];
    if (!name || !entries) continue;
    for (const entry of entries) hashes.push({ algorithm: name, hex: Buffer.from(entry.digest, 'base64').toString('hex') });
  }
  return hashes.sort((a, b) => compareStrings(a.algorithm, b.algorithm) || compareStrings(a.hex, b.hex));
}

/** `pkg:npm/%40scope/name@version`, with where a non-registry package came from as a qualifier. */
export function purlOf(name: string, version: string, source: DepNode['source'], resolved: string | null): string {
  const slash = name.startsWith('@') ? name.indexOf('/') : -1;
  const namespace = slash > 0 ? name.slice(0, slash) : undefined;
  const local = slash > 0 ? name.slice(slash + 1) : name;
  const qualifiers: Record<string, string> = {};
  if (resolved && source === 'git') qualifiers.vcs_url = resolved;
  else if (resolved && source === 'remote') qualifiers.download_url = resolved;
  return new PackageURL('npm', namespace, local, version || undefined, Object.keys(qualifiers).length > 0 ? qualifiers : undefined, undefined).toString();
}

function scopeOf(nodes: DepNode[]): SbomComponent['scope'] {
  // The widest need among the copies wins: one production copy makes it required.
  if (nodes.some((node) => !node.dev && !node.optional && !node.devOptional)) return 'required';
  if (nodes.some((node) => !node.dev)) return 'optional';
  return 'excluded';
}

function edgeType(type: string): SbomComponent['edges'][number]['type'] {
  if (type === 'dev') return 'dev';
  if (type === 'optional') return 'optional';
  if (type === 'peer' || type === 'peerOptional') return 'peer';
  return 'prod';
}

export interface SbomOptions {
  tool: { name: string; version: string };
  date: string | null;
  /** Licences read beyond the graph (the license check's registry and tarball lookups), by location. */
  licenses?: ReadonlyMap<string, string | null>;
}

export function sbomModel(graph: DepGraph, options: SbomOptions): SbomModel {
  const nodes = [...graph.nodes.values()].filter((node) => node.location !== '').sort((a, b) => compareStrings(a.location, b.location));
  // Group copies: same name, version and origin.
  const groups = new Map<string, DepNode[]>();
  for (const node of nodes) {
    const key = `${node.packageName}@${node.version}\n${node.isWorkspace ? `workspace:${node.location}` : (node.integrity ?? node.resolved ?? node.source)}`;
    const group = groups.get(key);
    if (group) group.push(node);
    else groups.set(key, [node]);
  }
  const refOf = new Map<string, string>();
  const taken = new Set<string>();
  // A monorepo root may have no name: the folder names the subject then.
  const subjectName = graph.root.packageName || basename(graph.projectPath) || 'project';
  const subjectRef = `${subjectName}@${graph.root.version || '0.0.0'}`;
  taken.add(subjectRef);
  refOf.set('', subjectRef);
  for (const group of groups.values()) {
    const first = group[0]!;
    let ref = `${first.packageName}@${first.version}`;
    if (taken.has(ref)) ref = `${ref}#${first.location}`;
    taken.add(ref);
    for (const node of group) refOf.set(node.location, ref);
  }
  const component = (group: DepNode[], ref: string): SbomComponent => {
    const first = group[0]!;
    const name = first.location === '' ? subjectName : first.packageName;
    const declared = group.map((node) => node.license ?? options.licenses?.get(node.location) ?? null).find((license) => license !== null) ?? null;
    const edges = new Map<string, SbomComponent['edges'][number]['type']>();
    for (const node of group) {
      for (const edge of node.edgesOut) {
        const target = edge.to === null ? undefined : refOf.get(graph.links.get(edge.to) ?? edge.to);
        if (target === undefined || target === ref || edges.has(target)) continue;
        edges.set(target, edgeType(edge.type));
      }
    }
    const sortedEdges = [...edges].map(([to, type]) => ({ ref: to, type })).sort((a, b) => compareStrings(a.ref, b.ref));
    return {
      ref,
      name,
      version: first.version,
      purl: purlOf(name, first.version, first.source, first.resolved),
      scope: first.location === '' ? 'required' : scopeOf(group),
      hashes: hashesOf(first.integrity),
      license: readLicense(declared),
      resolved: first.resolved,
      source: first.source,
      locations: group.map((node) => node.location),
      workspace: first.isWorkspace,
      dependsOn: sortedEdges.map((edge) => edge.ref),
      edges: sortedEdges,
    };
  };
  return {
    tool: options.tool,
    subject: component([graph.root], subjectRef),
    components: [...groups.values()].map((group) => component(group, refOf.get(group[0]!.location)!)).sort((a, b) => compareStrings(a.ref, b.ref)),
    date: options.date,
  };
}
