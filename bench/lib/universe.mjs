// The loopback data the advisory benchmarks serve (the same as the test
// helpers in test/advisories/): osv-scanner's frozen santatracker package
// universe as abbreviated packuments, and the npm bulk advisory endpoint's
// answer computed from normalised advisories.

import { readFileSync } from 'node:fs';
import semver from 'semver';
import { parse } from 'yaml';

/** osv-scanner's universe.yaml as abbreviated packuments by name, tarball URLs on `registry`. */
export function universePackuments(universeFile, registry) {
  const packages = new Map();
  let versions;
  let deps;
  for (const line of String(parse(readFileSync(universeFile, 'utf8')).schema).split('\n')) {
    if (line.trim() === '') continue;
    const depth = /^\t*/.exec(line)[0].length;
    const text = line.trim();
    if (depth === 0) packages.set(text, (versions = {}));
    else if (depth === 1) versions[text] = deps = { dependencies: {}, optionalDependencies: {}, peerDependencies: {} };
    else {
      // `Scope peer|name@spec`, `Opt|name@spec`, `KnownAs alias|name@spec` (an npm: alias), or `name@spec`.
      const marked = /^(Scope peer|Opt|KnownAs [^|]+)\|(.*)$/.exec(text);
      const dep = marked ? marked[2] : text;
      const [name, spec] = [dep.slice(0, dep.indexOf('@', 1)), dep.slice(dep.indexOf('@', 1) + 1)];
      if (marked?.[1] === 'Scope peer') deps.peerDependencies[name] = spec;
      else if (marked?.[1] === 'Opt') deps.optionalDependencies[name] = spec;
      else if (marked) deps.dependencies[marked[1].slice('KnownAs '.length)] = `npm:${name}@${spec}`;
      else deps.dependencies[name] = spec;
    }
  }
  const docs = new Map();
  for (const [name, byVersion] of packages) {
    const list = Object.keys(byVersion).filter((v) => semver.valid(v)).sort(semver.compare);
    const file = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
    docs.set(name, {
      name,
      modified: '2025-11-06T00:00:00.000Z',
      'dist-tags': { latest: list.filter((v) => !semver.prerelease(v)).at(-1) ?? list.at(-1) },
      versions: Object.fromEntries(
        Object.entries(byVersion).map(([version, fields]) => [
          version,
          { name, version, ...Object.fromEntries(Object.entries(fields).filter(([, specs]) => Object.keys(specs).length > 0)), dist: { tarball: `${registry}${name}/-/${file}-${version}.tgz` } },
        ]),
      ),
    });
  }
  return docs;
}

/** The bulk endpoint's answer from normalised advisories, in a fixed order (package, then id). */
export function bulkFrom(advisories) {
  const ordered = [...advisories].sort((a, b) => (a.package < b.package ? -1 : a.package > b.package ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return (payload) => {
    const answer = {};
    for (const advisory of ordered) {
      const versions = payload[advisory.package];
      if (!versions?.some((version) => semver.satisfies(version, advisory.range, { includePrerelease: true, loose: true }))) continue;
      (answer[advisory.package] ??= []).push({ id: advisory.id, url: advisory.url, title: advisory.title, severity: advisory.severity, vulnerable_versions: advisory.range, cwe: advisory.cwe, cvss: { score: advisory.cvss?.score ?? 0, vectorString: advisory.cvss?.vector ?? null } });
    }
    return answer;
  };
}
