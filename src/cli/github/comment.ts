// One sticky pull-request comment through GitHub's REST API (issue comments:
// list, create, update): the comment starts with a hidden marker; a later
// run finds it and edits it instead of adding another. Node's fetch, the
// token only ever sent to the API root it was given for, every GitHub error
// turned into one clear message (exit 2).

import { TOOL } from '../../commands/check.js';
import { DepguardError } from '../../errors.js';
import type { GithubTarget } from './context.js';

export interface StickyCommentOptions {
  target: GithubTarget;
  body: string;
  /** Text that only this tool's comment contains (an HTML comment at its top). */
  marker: string;
  /**
   * Whose comment to edit: this login; by default any bot account
   * (github-actions[bot], an app), so a person's comment that quotes the
   * marker is never overwritten.
   */
  author?: string;
  fetch?: typeof globalThis.fetch;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

export interface StickyCommentResult {
  action: 'created' | 'updated';
  id: number;
  url: string | null;
}

interface IssueComment {
  id: number;
  body?: string | null;
  html_url?: string;
  user?: { login?: string; type?: string } | null;
}

/** Pages of 100 comments: a pull request with more than 5,000 comments is not searched further. */
const MAX_PAGES = 50;

function describe(action: string, target: GithubTarget): string {
  return `${action} on ${target.owner}/${target.repo}#${target.number}`;
}

async function errorFor(response: Response, action: string, target: GithubTarget): Promise<DepguardError> {
  let message = '';
  try {
    const body = (await response.json()) as { message?: unknown; errors?: Array<{ message?: unknown; code?: unknown }> };
    message = typeof body.message === 'string' ? body.message : '';
    const details = (body.errors ?? []).map((error) => (typeof error.message === 'string' ? error.message : typeof error.code === 'string' ? error.code : '')).filter(Boolean);
    if (details.length > 0) message = `${message} (${details.join('; ')})`;
  } catch {
    message = '';
  }
  const said = message ? `: ${message.slice(0, 300)}` : '';
  const status = response.status;
  const remaining = response.headers.get('x-ratelimit-remaining');
  const rateLimited = status === 429 || (status === 403 && (remaining === '0' || /rate limit/i.test(message)));
  const where = describe(action, target);
  if (rateLimited) {
    const reset = Number(response.headers.get('x-ratelimit-reset'));
    const retryAfter = Number(response.headers.get('retry-after'));
    const when = Number.isFinite(retryAfter) && retryAfter > 0 ? `in ${retryAfter} s` : Number.isFinite(reset) && reset > 0 ? `after ${new Date(reset * 1000).toISOString()}` : 'in a few minutes';
    return new DepguardError('EGITHUB', `GitHub's rate limit was hit (${status}) while ${where}${said}`, { hint: `try again ${when}; the diff itself is in this job's output` });
  }
  switch (status) {
    case 401:
      return new DepguardError('EGITHUB', `GitHub rejected the token (401) while ${where}${said}`, { field: 'GITHUB_TOKEN', hint: 'GITHUB_TOKEN is missing, expired or revoked; in a workflow pass `${{ secrets.GITHUB_TOKEN }}`' });
    case 403:
      return new DepguardError('EGITHUB', `the token may not do that (403) while ${where}${said}`, {
        field: 'GITHUB_TOKEN',
        hint: 'give the job `permissions: pull-requests: write`; pull requests from forks get a read-only token, so comment from a `workflow_run` or `pull_request_target` job that does not run the fork\'s code',
      });
    case 404:
      return new DepguardError('EGITHUB', `GitHub found no such repository or pull request (404) while ${where}${said}`, { field: '--pr', hint: 'check GITHUB_REPOSITORY / --repo and --pr; a token that cannot see a private repository also gets 404' });
    case 422:
      return new DepguardError('EGITHUB', `GitHub refused the comment (422) while ${where}${said}`, { hint: 'the pull request may be locked, or the comment too long' });
    default:
      return new DepguardError('EGITHUB', `GitHub answered ${status} ${response.statusText} while ${where}${said}`, { hint: status >= 500 ? 'GitHub is having trouble; run the job again later' : 'see https://www.githubstatus.com and the message above' });
  }
}

/** The `next` page from a Link header, only when it stays on the API root (the token goes with it). */
function nextPage(link: string | null, apiUrl: string): string | null {
  if (!link) return null;
  for (const part of link.split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (match && match[1]!.startsWith(`${apiUrl}/`)) return match[1]!;
  }
  return null;
}

export async function upsertStickyComment(options: StickyCommentOptions): Promise<StickyCommentResult> {
  const { target } = options;
  const fetcher = options.fetch ?? globalThis.fetch;
  const headers = {
    accept: 'application/vnd.github+json',
    authorization: `Bearer ${target.token}`,
    'x-github-api-version': '2022-11-28',
    'user-agent': `${TOOL.name}/${TOOL.version}`,
  };
  const request = async (url: string, action: string, init: { method?: string; body?: string } = {}): Promise<Response> => {
    let response: Response;
    try {
      response = await fetcher(url, {
        method: init.method ?? 'GET',
        headers: init.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(init.body === undefined ? {} : { body: init.body }),
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
    } catch (error) {
      const reason = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new DepguardError('EGITHUB', `could not reach GitHub at ${target.apiUrl} while ${describe(action, target)}: ${reason}`, { hint: 'check the network, or GITHUB_API_URL for GitHub Enterprise', cause: error });
    }
    if (!response.ok) throw await errorFor(response, action, target);
    return response;
  };

  const repo = `${target.apiUrl}/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}`;
  const mine = (comment: IssueComment) =>
    typeof comment.body === 'string' && comment.body.includes(options.marker) && (options.author !== undefined ? comment.user?.login === options.author : comment.user?.type === 'Bot');
  let existing: IssueComment | null = null;
  let url: string | null = `${repo}/issues/${target.number}/comments?per_page=100`;
  for (let page = 0; url !== null && page < MAX_PAGES && existing === null; page++) {
    const response: Response = await request(url, 'listing comments');
    const comments = (await response.json()) as unknown;
    if (!Array.isArray(comments)) throw new DepguardError('EGITHUB', `GitHub's comment list for ${target.owner}/${target.repo}#${target.number} is not a list`, { hint: 'check GITHUB_API_URL' });
    existing = (comments as IssueComment[]).find(mine) ?? null;
    url = nextPage(response.headers.get('link'), target.apiUrl);
  }
  const body = JSON.stringify({ body: options.body });
  if (existing) {
    const response = await request(`${repo}/issues/comments/${existing.id}`, `updating comment ${existing.id}`, { method: 'PATCH', body });
    const updated = (await response.json()) as IssueComment;
    return { action: 'updated', id: existing.id, url: updated.html_url ?? existing.html_url ?? null };
  }
  const response = await request(`${repo}/issues/${target.number}/comments`, 'creating a comment', { method: 'POST', body });
  const created = (await response.json()) as IssueComment;
  return { action: 'created', id: created.id, url: created.html_url ?? null };
}
