// Where each rule is documented: docs/checks/<check>.md (the waiver rules in
// the README), as a path in the repository and, when package.json names the
// repository (`repository`: GitHub), as a web link pinned to this version's
// tag. SARIF's helpUri, the markdown reports and the HTML report link rule ids
// to it; with no repository set they name the path only.

import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../../package.json') as { version: string; repository?: string | { url?: string } };

/** https://github.com/owner/name for package.json `repository` forms npm accepts for GitHub; null otherwise. */
export function repositoryWebUrl(repository: string | { url?: string } | undefined): string | null {
  const raw = typeof repository === 'string' ? repository : repository?.url;
  if (!raw) return null;
  const match = /^(?:github:|git\+https:\/\/github\.com\/|https:\/\/github\.com\/|git:\/\/github\.com\/|git@github\.com:)?([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(raw);
  return match ? `https://github.com/${match[1]}/${match[2]}` : null;
}

const REPOSITORY_WEB = repositoryWebUrl(manifest.repository);

export interface RuleDocs {
  /** The document in the repository, e.g. `docs/checks/lockfile.md`. */
  path: string;
  /** An absolute link to it for this version, or null when package.json names no repository. */
  url: string | null;
}

/** The documentation of a rule id (`lockfile/missing`) or check id. */
export function ruleDocs(ruleId: string, web: string | null = REPOSITORY_WEB, version: string = manifest.version): RuleDocs {
  const check = ruleId.split('/')[0]!;
  const path = check === 'waivers' ? 'README.md' : `docs/checks/${check}.md`;
  return { path, url: web === null ? null : `${web}/blob/v${version}/${path}` };
}
