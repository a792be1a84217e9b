// The file texts SARIF results are located in: the project's package.json,
// each workspace's, and the lockfile. Read here, at the edge, so that the
// SARIF reporter stays a pure function of the result and these texts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DepGraph } from '../../model.js';
import type { SarifSources } from '../../render/sarif.js';
import { toPosix } from '../../util/posix-path.js';

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export function sarifSources(graph: DepGraph): SarifSources {
  const files: Record<string, string> = {};
  const wanted = ['package.json', ...graph.workspaces.map((workspace) => `${toPosix(workspace.location)}/package.json`)];
  if (graph.lockfile) wanted.push(toPosix(graph.lockfile.file));
  for (const file of wanted) {
    const text = read(join(graph.projectPath, file));
    if (text !== null) files[file] = text;
  }
  const lines = graph.lockfile?.lines;
  return { files, lockfile: graph.lockfile ? toPosix(graph.lockfile.file) : null, ...(lines ? { lockfileLines: Object.fromEntries(lines) } : {}) };
}
