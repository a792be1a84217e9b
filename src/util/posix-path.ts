import { sep } from 'node:path';

/** A relative path with `/` separators on every platform, as written in findings and config files. */
export function toPosix(path: string): string {
  return sep === '/' ? path : path.split(sep).join('/');
}
