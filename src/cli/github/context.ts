// Where a pull-request comment goes: the repository, the pull request and
// the token, from GitHub Actions' environment (GITHUB_TOKEN,
// GITHUB_REPOSITORY, GITHUB_EVENT_PATH, GITHUB_API_URL) or flags. The token
// is only ever read from the environment: a flag would show it in process
// listings and shell history.

import { readFileSync } from 'node:fs';
import { DepguardError } from '../../errors.js';
import { isJsonObject, own } from '../../util/json.js';

export interface GithubTarget {
  /** API root without a trailing slash: https://api.github.com, or GitHub Enterprise's /api/v3. */
  apiUrl: string;
  owner: string;
  repo: string;
  /** The pull request's number (pull requests are issues to the comments API). */
  number: number;
  token: string;
}

const REPOSITORY = /^([A-Za-z0-9-]{1,39})\/([A-Za-z0-9._-]{1,100})$/;

function fail(message: string, field: string, hint: string): never {
  throw new DepguardError('EGITHUB', message, { field, hint });
}

/** The pull request number of the event that started the workflow, or null when it is not about one. */
export function pullRequestFromEvent(path: string): number | null {
  let event: unknown;
  try {
    event = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(`GITHUB_EVENT_PATH ${path} could not be read as JSON: ${(error as Error).message}`, 'GITHUB_EVENT_PATH', 'pass the pull request with --pr <number>');
  }
  if (!isJsonObject(event)) return null;
  const pullRequest = own(event, 'pull_request');
  if (isJsonObject(pullRequest) && typeof own(pullRequest, 'number') === 'number') return own<number>(pullRequest, 'number')!;
  // issue_comment events on a pull request carry the issue, marked as a pull request.
  const issue = own(event, 'issue');
  if (isJsonObject(issue) && isJsonObject(own(issue, 'pull_request')) && typeof own(issue, 'number') === 'number') return own<number>(issue, 'number')!;
  return null;
}

export function githubTarget(env: NodeJS.ProcessEnv, flags: { repo?: string; pr?: number }): GithubTarget {
  const token = env.GITHUB_TOKEN ?? '';
  if (token.trim() === '') {
    fail('--github-comment needs a token in the GITHUB_TOKEN environment variable', 'GITHUB_TOKEN', 'in a workflow: `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` with `permissions: pull-requests: write`');
  }
  const repository = flags.repo ?? env.GITHUB_REPOSITORY ?? '';
  const match = REPOSITORY.exec(repository);
  if (!match) {
    fail(
      repository === '' ? '--github-comment needs the repository: GITHUB_REPOSITORY is not set' : `"${repository}" is not a repository name (expected owner/name)`,
      flags.repo !== undefined ? '--repo' : 'GITHUB_REPOSITORY',
      'pass --repo owner/name, or run in GitHub Actions, which sets GITHUB_REPOSITORY',
    );
  }
  let number: number | null = flags.pr ?? null;
  if (number === null && env.GITHUB_EVENT_PATH) number = pullRequestFromEvent(env.GITHUB_EVENT_PATH);
  if (number === null) {
    fail(
      env.GITHUB_EVENT_PATH ? `the event in GITHUB_EVENT_PATH (${env.GITHUB_EVENT_NAME ?? 'unknown event'}) is not about a pull request` : '--github-comment needs the pull request: pass --pr, or run on a pull_request event',
      '--pr',
      'run the diff step on `pull_request` events, or pass --pr <number>',
    );
  }
  if (!Number.isSafeInteger(number) || number < 1) fail(`--pr ${String(number)} is not a pull request number`, '--pr', 'pass the number shown after # on the pull request');
  const api = (env.GITHUB_API_URL ?? 'https://api.github.com').replace(/\/+$/, '');
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    fail(`GITHUB_API_URL "${api}" is not a URL`, 'GITHUB_API_URL', 'unset it for github.com; GitHub Enterprise sets it to https://<host>/api/v3');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname))) {
    fail(`GITHUB_API_URL "${api}" is not https: the token would travel in clear text`, 'GITHUB_API_URL', 'use the https:// address of the API');
  }
  return { apiUrl: api, owner: match[1]!, repo: match[2]!, number, token };
}
