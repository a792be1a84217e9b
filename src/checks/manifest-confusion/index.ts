// manifest-confusion: the package.json inside a package's tarball says
// something other than the version manifest the registry serves. npm resolves
// dependencies from the registry's manifest but runs install scripts from the
// tarball's package.json, and the registry never checks that the two agree:
// an install script or a dependency can hide in the tarball while every tool
// that reads registry metadata shows none (the 2023 "manifest confusion"
// disclosure).
//
// Compared: name, version, the install-time scripts (and prepare),
// dependencies with optionalDependencies, bin, os, cpu, engines. The tarball
// side is what the capabilities reader already read (the installed copy or
// the published tarball, kept in the capability cache), so this check
// downloads nothing of its own; the registry side is the compact packument.

import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { CompactVersion } from '../../enrich/packument.js';
import type { DepNode } from '../../model.js';
import { compareStrings } from '../../util/compare.js';
import { matchesNamePattern } from '../../util/name-patterns.js';
import { defineCheck, type WithDefaults } from '../types.js';
import { binMap, COMPARED_SCRIPTS, INSTALL_TIME, type ManifestFields } from './fields.js';

type Options = WithDefaults<FromSchema<typeof optionsSchema>, typeof defaultOptions>;

export interface Difference {
  field: string;
  registry: unknown;
  tarball: unknown;
}

export interface Comparison {
  hiddenScripts: Difference[];
  hiddenDependencies: Difference[];
  others: Difference[];
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && b[key] === a[key]);
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((item, index) => item === [...b].sort()[index]);
}

/** The registry's manifest as ManifestFields, from the compact record of the version. */
function registryFields(name: string, version: string, record: CompactVersion): Omit<ManifestFields, 'bindingGyp' | 'binFromDirectory'> {
  const declared = record.declared ?? {};
  // `dependencies` of the compact record merges peer < optional < dependencies; `declared.dependencies` is the raw field when that differs.
  const direct = declared.dependencies ?? record.dependencies;
  return {
    name,
    version,
    scripts: record.scripts ?? {},
    dependencies: { ...direct, ...(declared.optionalDependencies ?? {}) },
    optionalDependencies: declared.optionalDependencies ?? {},
    // The registry keeps bin paths as published (`./bin/cli.js`); normalised like the tarball's.
    bin: binMap(declared.bin ?? {}, name),
    os: declared.os ?? [],
    cpu: declared.cpu ?? [],
    engines: record.engines ?? {},
  };
}

/**
 * The differences between the registry's manifest and the tarball's
 * package.json. Scripts are compared by text when the registry's are known
 * (full metadata), else by the registry's `hasInstallScript` flag.
 */
export function compareManifests(node: Pick<DepNode, 'packageName' | 'version'>, record: CompactVersion, tarball: ManifestFields): Comparison {
  const registry = registryFields(node.packageName, node.version, record);
  const comparison: Comparison = { hiddenScripts: [], hiddenDependencies: [], others: [] };
  if (tarball.name !== registry.name) comparison.others.push({ field: 'name', registry: registry.name, tarball: tarball.name });
  if (tarball.version !== registry.version) comparison.others.push({ field: 'version', registry: registry.version, tarball: tarball.version });

  // npm implies `install: node-gyp rebuild` for a binding.gyp without install scripts, and writes it into the published manifest.
  const tarballScripts = { ...tarball.scripts };
  if (tarball.bindingGyp && !tarballScripts.install && !tarballScripts.preinstall) tarballScripts.install = 'node-gyp rebuild';
  for (const event of COMPARED_SCRIPTS) {
    const inTarball = Object.hasOwn(tarballScripts, event) ? tarballScripts[event]! : null;
    if (record.scripts === null) {
      // Abbreviated metadata: only whether an install script exists is known.
      if (inTarball !== null && INSTALL_TIME.has(event) && !record.hasInstallScript) comparison.hiddenScripts.push({ field: `scripts.${event}`, registry: null, tarball: inTarball });
      continue;
    }
    const inRegistry = Object.hasOwn(registry.scripts, event) ? registry.scripts[event]! : null;
    if (inTarball === inRegistry || (event === 'install' && inRegistry === 'node-gyp rebuild' && inTarball === null && tarball.bindingGyp)) continue;
    const difference = { field: `scripts.${event}`, registry: inRegistry, tarball: inTarball };
    if (inRegistry === null && INSTALL_TIME.has(event)) comparison.hiddenScripts.push(difference);
    else comparison.others.push(difference);
  }

  for (const name of Object.keys(tarball.dependencies).sort(compareStrings)) {
    if (!Object.hasOwn(registry.dependencies, name)) comparison.hiddenDependencies.push({ field: `dependencies.${name}`, registry: null, tarball: tarball.dependencies[name] });
    else if (registry.dependencies[name] !== tarball.dependencies[name]) comparison.others.push({ field: `dependencies.${name}`, registry: registry.dependencies[name], tarball: tarball.dependencies[name] });
  }
  for (const name of Object.keys(registry.dependencies).sort(compareStrings)) {
    if (!Object.hasOwn(tarball.dependencies, name)) comparison.others.push({ field: `dependencies.${name}`, registry: registry.dependencies[name], tarball: null });
  }
  // `bin` from `directories.bin` is computed by npm on publish: the tarball's manifest cannot show it.
  if (!tarball.binFromDirectory && !sameMap(registry.bin, tarball.bin)) comparison.others.push({ field: 'bin', registry: registry.bin, tarball: tarball.bin });
  if (!sameList(registry.os, tarball.os)) comparison.others.push({ field: 'os', registry: registry.os, tarball: tarball.os });
  if (!sameList(registry.cpu, tarball.cpu)) comparison.others.push({ field: 'cpu', registry: registry.cpu, tarball: tarball.cpu });
  if (!sameMap(registry.engines, tarball.engines)) comparison.others.push({ field: 'engines', registry: registry.engines, tarball: tarball.engines });
  return comparison;
}

function show(value: unknown): string {
  if (value === null) return 'nothing';
  return typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value);
}

function listed(differences: Difference[]): string {
  const shown = differences.slice(0, 4).map((d) => `${d.field}: registry ${show(d.registry)}, tarball ${show(d.tarball)}`);
  return differences.length > 4 ? `${shown.join('; ')} and ${differences.length - 4} more` : shown.join('; ');
}

/** Packages whose contents the capabilities reader reads: installed registry dependencies, not bundled ones (the registry does not describe those). */
function judged(node: DepNode): boolean {
  return node.location !== '' && node.source === 'registry' && !node.inBundle && !node.isWorkspace && node.linkTarget === null && node.version !== '';
}

/** The packages compared: published registry packages the options do not ignore. */
function selected(node: DepNode, options: Record<string, unknown>): boolean {
  return judged(node) && !matchesNamePattern(node.packageName, (options as Options).ignore ?? []);
}

const optionsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    /** Names or globs not judged. */
    ignore: { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true, description: 'package names or globs not to judge' },
  },
} as const satisfies JSONSchema;

const defaultOptions = { ignore: [] } satisfies FromSchema<typeof optionsSchema>;

export default defineCheck<Options>({
  meta: {
    id: 'manifest-confusion',
    description: "The package.json inside a package's tarball against the version manifest the registry serves: name, version, install scripts, dependencies, bin, os, cpu, engines. npm installs dependencies from the one and runs scripts from the other.",
    rules: {
      'hidden-install-script': {
        description: "The tarball's package.json has a preinstall, install or postinstall script the registry's manifest does not show: npm runs it, tools that read registry metadata never see it.",
        severity: 'high',
        message: "{name}@{version} runs an install script its registry manifest does not show: {differences}",
      },
      'hidden-dependency': {
        description: "The tarball's package.json declares a dependency the registry's manifest does not list.",
        severity: 'high',
        message: "{name}@{version} declares dependencies in its tarball that its registry manifest does not list: {differences}",
      },
      mismatch: {
        description: "Other differences between the tarball's package.json and the registry's manifest: name, version, a script's text, a dependency's spec or one only the registry lists, bin, os, cpu, engines.",
        severity: 'moderate',
        message: "{name}@{version}: its tarball's package.json and its registry manifest differ: {differences}",
      },
    },
    optionsSchema,
    defaultOptions,
    needs: ['registry', 'contents'],
    enrich: { packuments: { select: selected }, contents: { select: selected } },
    enabledByDefault: false,
  },

  run(ctx) {
    let compared = 0;
    ctx.enriched.packuments.forEach((found, node) => {
      const outcome = ctx.enriched.contents.get(node);
      if (!outcome) return;
      // Why a package's contents could not be had is the capabilities reader's diagnostic (or the packument's miss).
      if (outcome.status !== 'analysed' || !outcome.analysis.manifest) return;
      compared++;
      const comparison = compareManifests(node, found.version, outcome.analysis.manifest);
      const evidence = (differences: Difference[]) => ({
        differences,
        from: outcome.from,
        integrity: outcome.integrity,
        registryManifest: found.version.scripts === null ? 'abbreviated' : 'full',
      });
      const data = { name: node.packageName, version: node.version };
      if (comparison.hiddenScripts.length > 0) ctx.report({ rule: 'hidden-install-script', node, data: { ...data, differences: listed(comparison.hiddenScripts) }, evidence: evidence(comparison.hiddenScripts) });
      if (comparison.hiddenDependencies.length > 0) ctx.report({ rule: 'hidden-dependency', node, data: { ...data, differences: listed(comparison.hiddenDependencies) }, evidence: evidence(comparison.hiddenDependencies) });
      if (comparison.others.length > 0) ctx.report({ rule: 'mismatch', node, data: { ...data, differences: listed(comparison.others) }, evidence: evidence(comparison.others) });
    });
    ctx.data('summary', { compared });
  },
});
