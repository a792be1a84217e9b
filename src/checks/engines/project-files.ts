// Reading the project's own files as data, for the engines sources: a file
// that escapes the project or is too large is skipped with a diagnostic, and
// a value depguard cannot read becomes a diagnostic, never an error.

import { readFile, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import type { CheckContext } from '../types.js';

/** What reading sources needs from the check's context: the project and a place for diagnostics. */
export type SourceContext = Pick<CheckContext<unknown>, 'graph' | 'diagnostic'>;

const MAX_FILE_BYTES = 1024 * 1024;

/**
 * A file of the project as text, or null when absent. A symlink that leads
 * outside the project is not followed (a pull request must not be able to make
 * the audit print /etc/passwd); a file over 1 MiB is skipped.
 */
export async function readProjectFile(ctx: SourceContext, file: string): Promise<string | null> {
  let target: string;
  let root: string;
  try {
    [target, root] = await Promise.all([realpath(join(ctx.graph.projectPath, file)), realpath(ctx.graph.projectPath)]);
  } catch {
    return null;
  }
  const inside = relative(root, target);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    ctx.diagnostic({ level: 'warning', code: 'ENGINES_SOURCE_SKIPPED', message: `${file} is a symbolic link to outside the project; it was not read`, file });
    return null;
  }
  try {
    const stats = await stat(target);
    if (!stats.isFile()) return null;
    if (stats.size > MAX_FILE_BYTES) {
      ctx.diagnostic({ level: 'warning', code: 'ENGINES_SOURCE_SKIPPED', message: `${file} is larger than 1 MiB; it was not read`, file });
      return null;
    }
    return await readFile(target, 'utf8');
  } catch {
    return null;
  }
}

export function unreadable(ctx: SourceContext, file: string, field: string, value: unknown, why = 'not a Node.js version, range or alias depguard can read'): void {
  const shown = typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}…` : value;
  ctx.diagnostic({ level: 'warning', code: 'UNREADABLE_NODE_VERSION', message: `${file}: ${field} is ${JSON.stringify(shown)}, ${why}; it was not judged`, file });
}

/** The version line of an .nvmrc / .node-version / .tool-versions file: first line that is not a comment. */
export function versionFileValue(text: string, file: string): string | null {
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*$/, '').trim();
    if (line === '') continue;
    if (file.endsWith('.tool-versions')) {
      const match = /^(?:nodejs|node)\s+(\S+)/.exec(line);
      if (match) return match[1]!;
      continue;
    }
    return line;
  }
  return null;
}
