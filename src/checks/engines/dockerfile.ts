// The Node.js version the project's Dockerfile runs: `FROM node:<tag>` of the
// official image, with build arguments declared before the first FROM
// substituted.

import { readProjectFile, unreadable, type SourceContext } from './project-files.js';
import type { AsOf } from './schedule.js';
import { runtimeSource, type Source } from './source.js';

/** Tag suffixes of the official image that name a base OS, not a Node.js version. */
const DOCKER_VARIANT = /^(alpine[\d.]*|slim|bookworm|bullseye|buster|stretch|jessie|trixie|wheezy|windowsservercore[\w.]*|nanoserver[\w.]*)$/;

/** The Node.js version spec a tag of the official `node` image stands for: `22`, `22.22.0`, `lts`, `jod`, `latest`. */
function dockerTagSpec(asOf: AsOf, tag: string): string | null {
  const first = tag.toLowerCase().split('-')[0]!;
  if (/^\d+(\.\d+){0,2}$/.test(first)) return first;
  if (asOf.alias(first) !== undefined) return first;
  if (DOCKER_VARIANT.test(first)) return 'latest';
  return null;
}

/** `node`, `library/node`, `docker.io/library/node`, `<mirror>/library/node`: the official image. */
function isOfficialNodeImage(repository: string): boolean {
  const name = repository.toLowerCase();
  return name === 'node' || name === 'library/node' || name === 'docker.io/node' || name.endsWith('/library/node');
}

function substituteArgs(text: string, args: Map<string, string>): string | null {
  let unresolved = false;
  const result = text.replace(/\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)/g, (_whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const value = args.get((braced ?? bare)!);
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    unresolved = true;
    return '';
  });
  return unresolved ? null : result;
}

export async function fromDockerfile(ctx: SourceContext, asOf: AsOf): Promise<Source[]> {
  const file = 'Dockerfile';
  const text = await readProjectFile(ctx, file);
  if (text === null) return [];
  const sources: Source[] = [];
  const args = new Map<string, string>();
  let seenFrom = false;
  const rawLines = text.split(/\r?\n/);
  for (let index = 0; index < rawLines.length; index++) {
    const lineNumber = index + 1;
    let instruction = rawLines[index]!;
    while (/\\\s*$/.test(instruction) && index + 1 < rawLines.length) instruction = instruction.replace(/\\\s*$/, ' ') + rawLines[++index]!;
    const trimmed = instruction.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [keyword, ...rest] = trimmed.split(/\s+/);
    if (/^arg$/i.test(keyword!)) {
      // Only ARGs declared before the first FROM can be used in FROM lines.
      if (seenFrom) continue;
      for (const declaration of rest) {
        const [name, ...value] = declaration.split('=');
        if (name && !args.has(name)) args.set(name, value.join('=').replace(/^["']|["']$/g, ''));
      }
      continue;
    }
    if (!/^from$/i.test(keyword!)) continue;
    seenFrom = true;
    const image = rest.find((word) => !word.startsWith('--'));
    if (!image) continue;
    const ref = substituteArgs(image, args);
    if (ref === null) {
      if (/node/i.test(image)) unreadable(ctx, file, `FROM (line ${lineNumber})`, image, 'a build argument with no default');
      continue;
    }
    const withoutDigest = ref.split('@')[0]!;
    const colon = withoutDigest.lastIndexOf(':');
    const hasTag = colon > withoutDigest.lastIndexOf('/');
    const repository = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
    if (!isOfficialNodeImage(repository)) continue;
    const tag = hasTag ? withoutDigest.slice(colon + 1) : 'latest';
    const spec = dockerTagSpec(asOf, tag);
    // The range is what the tag names (`22-alpine` is `22`); the value is the image as written.
    const source = spec === null ? null : runtimeSource(asOf, 'Dockerfile', file, spec, { line: lineNumber, tag });
    if (source) sources.push({ ...source, value: ref });
    else unreadable(ctx, file, `FROM (line ${lineNumber})`, ref, spec === null ? 'a node image tag depguard cannot read' : 'a tag that names no Node.js release as of the audit date');
  }
  return sources;
}
