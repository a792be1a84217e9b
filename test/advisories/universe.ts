// osv-scanner's frozen npm "universe" (a mock registry: every version of every
// package its resolver may look at, with each version's dependency ranges) as
// abbreviated packuments in the public registry's documented shape.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { parse } from 'yaml';

export function universePackuments(file: string, registry: string): Map<string, Record<string, unknown>> {
  const schema = String((parse(readFileSync(file, 'utf8')) as { schema: string }).schema);
  type Fields = Record<'dependencies' | 'optionalDependencies' | 'peerDependencies', Record<string, string>>;
  const packages = new Map<string, Map<string, Fields>>();
  let versions: Map<string, Fields> | undefined;
  let dependencies: Fields | undefined;
  for (const line of schema.split('\n')) {
    if (line.trim() === '') continue;
    const depth = /^\t*/.exec(line)![0].length;
    const text = line.trim();
    if (depth === 0) {
      versions = new Map();
      packages.set(text, versions);
    } else if (depth === 1) {
      dependencies = { dependencies: {}, optionalDependencies: {}, peerDependencies: {} };
      versions!.set(text, dependencies);
    } else {
      // `Scope peer|name@spec`, `Opt|name@spec`, `KnownAs alias|name@spec` (an npm: alias), or `name@spec`.
      const marked = /^(Scope peer|Opt|KnownAs [^|]+)\|(.*)$/.exec(text);
      const dep = marked ? marked[2]! : text;
      const at = dep.indexOf('@', 1);
      const [name, spec] = [dep.slice(0, at), dep.slice(at + 1)];
      if (marked?.[1] === 'Scope peer') dependencies!.peerDependencies[name] = spec;
      else if (marked?.[1] === 'Opt') dependencies!.optionalDependencies[name] = spec;
      else if (marked) dependencies!.dependencies[marked[1]!.slice('KnownAs '.length)] = `npm:${name}@${spec}`;
      else dependencies!.dependencies[name] = spec;
    }
  }
  const packuments = new Map<string, Record<string, unknown>>();
  for (const [name, byVersion] of packages) {
    const list = [...byVersion.keys()].filter((version) => semver.valid(version)).sort(semver.compare);
    const stable = list.filter((version) => !semver.prerelease(version));
    const docs: Record<string, unknown> = {};
    for (const [version, deps] of byVersion) {
      const file = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
      const fields = Object.fromEntries(Object.entries(deps).filter(([, specs]) => Object.keys(specs).length > 0));
      docs[version] = { name, version, ...fields, dist: { tarball: `${registry}${name}/-/${file}-${version}.tgz` } };
    }
    packuments.set(name, { name, modified: '2025-11-06T00:00:00.000Z', 'dist-tags': { latest: stable[stable.length - 1] ?? list[list.length - 1] }, versions: docs });
  }
  return packuments;
}

/** A universe recorded by fixtures/universes/record.mjs: packuments by name, tarball URLs on registry.example.org. */
export function recordedPackuments(file: string): Map<string, Record<string, unknown>> {
  const { packuments } = JSON.parse(readFileSync(file, 'utf8')) as { packuments: Record<string, Record<string, unknown>> };
  return new Map(Object.entries(packuments));
}
