// Where each entry's tarball comes from (its `resolved` URL): a trusted host,
// over https, a git dependency pinned to a full commit, and a registry
// tarball URL that names the package and version the entry installs.
// Pure string tests against constants and the run's trusted host set.

import { hasDotSegments, parseRegistryTarballUrl } from '../../load/identity.js';
import type { DepGraph, DepNode } from '../../model.js';
import { hostOf } from '../../enrich/npm-config.js';
import { declaredAlias } from './aliases.js';
import { label, type Ctx } from './shared.js';

/** `scheme://[user@]host[:port]`, tolerant of scp-style `git+ssh://git@host:owner/repo`. */
const URL_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^/:?#]*)(?::(\d+)(?=[/?#]|$))?/i;
/** hosted-git-info shorthands, which name a service instead of a host. */
const SHORTHAND_HOSTS: Record<string, string> = {
  github: 'github.com',
  gitlab: 'gitlab.com',
  bitbucket: 'bitbucket.org',
  gist: 'gist.github.com',
};
const SHORTHAND = /^(github|gitlab|bitbucket|gist):/i;
const INSECURE = /^(http|git|git\+http):\/\//i;
const HTTP_URL = /^https?:/i;
const FULL_COMMIT = /#([0-9a-f]{40}|[0-9a-f]{64})$/i;
/** yarn classic fetches hosted git dependencies as archives named by commit: codeload.github.com `…/tar.gz/<sha>`, GitLab `…archive.tar.gz?ref=<sha>`. */
const ARCHIVE_COMMIT = /(^https:\/\/codeload\.github\.com\/[^/]+\/[^/]+\/tar\.gz\/[0-9a-f]{40}$)|([?&]ref=[0-9a-f]{40}$)/i;

/** The host (`host` or `host:port`, lower-case) a resolved URL fetches from; '' when it names none. */
export function resolvedHost(resolved: string): string {
  const shorthand = SHORTHAND.exec(resolved);
  if (shorthand) return SHORTHAND_HOSTS[shorthand[1]!.toLowerCase()]!;
  if (HTTP_URL.test(resolved)) return hostOf(resolved) ?? '';
  const match = URL_AUTHORITY.exec(resolved);
  if (!match?.[1]) return '';
  const host = match[1].toLowerCase();
  return match[2] ? `${host}:${match[2]}` : host;
}

/** An allowedHosts entry as a comparable host: bare hostname, host:port, or a full URL. */
export function normaliseAllowedHost(entry: string): string {
  const trimmed = entry.trim();
  if (trimmed.includes('://')) return hostOf(trimmed) ?? '';
  return trimmed.split('/')[0]!.toLowerCase();
}

export function checkResolved(ctx: Ctx, graph: DepGraph, node: DepNode, trusted: ReadonlySet<string>): void {
  const resolved = node.resolved;
  // Bundled packages come inside their parent's tarball; their `resolved` is never fetched.
  if (node.inBundle) return;
  if (node.source === 'git' && (resolved === null || !(FULL_COMMIT.test(resolved) || ARCHIVE_COMMIT.test(resolved)))) {
    ctx.report({ rule: 'git-unpinned', node, data: { ...label(node), resolved: resolved ?? '(none)' }, evidence: { resolved } });
  }
  // No `resolved` (omit-lockfile-registry-resolved): npm fetches from the configured registry.
  if (resolved === null || resolved.startsWith('file:')) return;

  const insecure = INSECURE.exec(resolved);
  if (insecure) {
    const protocol = `${insecure[1]!.toLowerCase()}:`;
    ctx.report({ rule: 'insecure-protocol', node, data: { ...label(node), protocol, resolved }, evidence: { resolved, protocol } });
  }

  const host = resolvedHost(resolved);
  if (!trusted.has(host)) {
    ctx.report({
      rule: 'foreign-host',
      node,
      data: { ...label(node), host: host || '(no host)', resolved },
      evidence: { resolved, host: host || null, shorthand: SHORTHAND.test(resolved) },
    });
    return;
  }
  checkTarballIdentity(ctx, graph, node, resolved);
}

function checkTarballIdentity(ctx: Ctx, graph: DepGraph, node: DepNode, resolved: string): void {
  const fromUrl = parseRegistryTarballUrl(resolved);
  if (!fromUrl) return;
  const entryVersion = node.entryVersion ?? node.version;
  const evidence = { resolved, urlName: fromUrl.name, urlVersion: fromUrl.version || null, entryName: node.name, entryVersion };
  const data = { name: node.name, version: entryVersion, resolved };
  const mismatch = (reason: string, problem: string): void =>
    ctx.report({ rule: 'name-mismatch', node, data: { ...data, problem }, evidence: { ...evidence, reason } });
  if (hasDotSegments(resolved)) return mismatch('dot-segments', 'contains `.` or `..` path segments that lead to another package');
  if (fromUrl.version === '') return mismatch('file-name', `names package ${fromUrl.name} in its path but a different tarball file`);
  // An installed name that differs from the tarball's is fine when a dependent declared it as `npm:<real name>@…`.
  const alias = fromUrl.name === node.name ? null : declaredAlias(graph, node, fromUrl.name);
  if (fromUrl.name !== node.name && !alias) {
    return mismatch('name', `is the tarball of ${fromUrl.name}, and no dependent declares ${node.name} as an alias of it`);
  }
  if (fromUrl.version !== entryVersion) return mismatch('version', `is the tarball of version ${fromUrl.version}`);
  if (alias) {
    ctx.report({
      rule: 'alias',
      node,
      data: { name: node.name, realName: fromUrl.name, version: fromUrl.version, spec: alias.spec },
      evidence: { resolved, alias: node.name, realName: fromUrl.name, spec: alias.spec, declaredBy: alias.declaredBy },
    });
  }
}
