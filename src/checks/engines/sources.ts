// Every Node.js version source of the project, each read as data (never
// executed): package.json engines.node, devEngines.runtime and volta.node,
// .nvmrc and .node-version here; GitHub Actions workflows and the Dockerfile
// in their own modules.

import { isJsonObject, own } from '../../util/json.js';
import { fromDockerfile } from './dockerfile.js';
import { readProjectFile, unreadable, versionFileValue, type SourceContext } from './project-files.js';
import type { AsOf } from './schedule.js';
import { declaredSource, runtimeSource, type Source } from './source.js';
import { fromWorkflows } from './workflows.js';

/** Every Node.js version source of the project, in a fixed order. */
export async function collectSources(ctx: SourceContext, asOf: AsOf): Promise<{ sources: Source[]; enginesNode: 'present' | 'absent' | 'unreadable' }> {
  const manifest = fromManifest(ctx, asOf);
  const nvmrc = await fromVersionFile(ctx, asOf, '.nvmrc');
  const nodeVersion = await fromVersionFile(ctx, asOf, '.node-version');
  const workflows = await fromWorkflows(ctx, asOf, manifest.sources);
  const docker = await fromDockerfile(ctx, asOf);
  const sources = [...manifest.sources, ...(nvmrc ? [nvmrc] : []), ...(nodeVersion ? [nodeVersion] : []), ...workflows, ...docker];
  return { sources, enginesNode: manifest.enginesNode };
}

function fromManifest(ctx: SourceContext, asOf: AsOf): { sources: Source[]; enginesNode: 'present' | 'absent' | 'unreadable' } {
  const manifest = ctx.graph.manifest;
  const sources: Source[] = [];
  let enginesNode: 'present' | 'absent' | 'unreadable' = 'absent';
  const engines = own(manifest, 'engines');
  if (isJsonObject(engines) && Object.hasOwn(engines, 'node')) {
    const value = engines.node;
    const source = typeof value === 'string' ? declaredSource('engines.node', 'package.json', value) : null;
    if (source) {
      sources.push(source);
      enginesNode = 'present';
    } else {
      unreadable(ctx, 'package.json', 'engines.node', value, 'not a semver range');
      enginesNode = 'unreadable';
    }
  }
  const devEngines = own(manifest, 'devEngines');
  const runtime = isJsonObject(devEngines) ? own(devEngines, 'runtime') : undefined;
  const runtimes = Array.isArray(runtime) ? runtime : runtime === undefined ? [] : [runtime];
  runtimes.forEach((entry, index) => {
    if (!isJsonObject(entry) || own(entry, 'name') !== 'node' || !Object.hasOwn(entry, 'version')) return;
    const version = entry.version;
    const field = Array.isArray(runtime) ? `devEngines.runtime[${index}].version` : 'devEngines.runtime.version';
    const source = typeof version === 'string' ? declaredSource('devEngines.runtime', 'package.json', version, typeof entry.onFail === 'string' ? { onFail: entry.onFail } : {}) : null;
    if (source) sources.push(source);
    else unreadable(ctx, 'package.json', field, version, 'not a semver range');
  });
  const volta = own(manifest, 'volta');
  const voltaNode = isJsonObject(volta) ? own(volta, 'node') : undefined;
  if (voltaNode !== undefined) {
    const source = typeof voltaNode === 'string' ? runtimeSource(asOf, 'volta.node', 'package.json', voltaNode) : null;
    if (source) sources.push(source);
    else unreadable(ctx, 'package.json', 'volta.node', voltaNode);
  }
  return { sources, enginesNode };
}

async function fromVersionFile(ctx: SourceContext, asOf: AsOf, file: '.nvmrc' | '.node-version'): Promise<Source | null> {
  const text = await readProjectFile(ctx, file);
  if (text === null) return null;
  const value = versionFileValue(text, file);
  if (value === null) {
    unreadable(ctx, file, 'the file', text.trim(), 'empty');
    return null;
  }
  const source = runtimeSource(asOf, file, file, value);
  if (!source) unreadable(ctx, file, 'the version', value);
  return source;
}
