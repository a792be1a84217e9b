// The sticky pull-request comment against GitHub's REST API, answered by
// nock: the first run creates it, the next edits the same one, and every
// GitHub error is one clear message (exit 2) that never shows the token.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DepguardError } from '../../src/errors.js';
import { upsertStickyComment } from '../../src/cli/github/comment.js';
import { githubTarget, type GithubTarget } from '../../src/cli/github/context.js';
import { tempDir } from './helpers.js';

const API = 'https://api.github.com';
const TOKEN = 'ghs_test0123456789abcdefTOKEN';
const MARKER = '<!-- depguard-diff . -->';
const target: GithubTarget = { apiUrl: API, owner: 'acme', repo: 'shop', number: 42, token: TOKEN };
const LIST = '/repos/acme/shop/issues/42/comments';

const bot = { login: 'github-actions[bot]', type: 'Bot' };
const person = { login: 'mallory', type: 'User' };

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => nock.enableNetConnect());

async function failure(promise: Promise<unknown>): Promise<DepguardError> {
  try {
    await promise;
  } catch (error) {
    return error as DepguardError;
  }
  throw new Error('expected a failure');
}

describe('upsertStickyComment', () => {
  it('creates the comment on the first run, then edits that same comment', async () => {
    const first = nock(API, { reqheaders: { authorization: `Bearer ${TOKEN}`, 'x-github-api-version': '2022-11-28', accept: 'application/vnd.github+json' } })
      .get(LIST)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: 'LGTM', user: person }])
      .post(LIST, (body) => body.body === `${MARKER}\nfirst`)
      .reply(201, { id: 1001, body: `${MARKER}\nfirst`, html_url: 'https://github.com/acme/shop/pull/42#issuecomment-1001', user: bot });
    const created = await upsertStickyComment({ target, body: `${MARKER}\nfirst`, marker: MARKER });
    expect(created).toEqual({ action: 'created', id: 1001, url: 'https://github.com/acme/shop/pull/42#issuecomment-1001' });
    expect(first.isDone()).toBe(true);

    const second = nock(API)
      .get(LIST)
      .query({ per_page: '100' })
      .reply(200, [
        { id: 1, body: 'LGTM', user: person },
        { id: 1001, body: `${MARKER}\nfirst`, user: bot },
      ])
      .patch('/repos/acme/shop/issues/comments/1001', { body: `${MARKER}\nsecond` })
      .reply(200, { id: 1001, body: `${MARKER}\nsecond`, html_url: 'https://github.com/acme/shop/pull/42#issuecomment-1001', user: bot });
    const updated = await upsertStickyComment({ target, body: `${MARKER}\nsecond`, marker: MARKER });
    expect(updated).toEqual({ action: 'updated', id: 1001, url: 'https://github.com/acme/shop/pull/42#issuecomment-1001' });
    expect(second.isDone()).toBe(true);
  });

  it('follows the pages of a long conversation to find its comment', async () => {
    const scope = nock(API)
      .get(LIST)
      .query({ per_page: '100' })
      .reply(200, [{ id: 1, body: 'hello', user: person }], { link: `<${API}${LIST}?per_page=100&page=2>; rel="next", <${API}${LIST}?per_page=100&page=2>; rel="last"` })
      .get(LIST)
      .query({ per_page: '100', page: '2' })
      .reply(200, [{ id: 2002, body: `${MARKER}\nold`, user: bot }])
      .patch('/repos/acme/shop/issues/comments/2002')
      .reply(200, { id: 2002 });
    expect(await upsertStickyComment({ target, body: `${MARKER}\nnew`, marker: MARKER })).toMatchObject({ action: 'updated', id: 2002 });
    expect(scope.isDone()).toBe(true);
  });

  it('never follows a next page on another host (the token would go with it)', async () => {
    const scope = nock(API)
      .get(LIST)
      .query({ per_page: '100' })
      .reply(200, [], { link: '<https://evil.example.com/steal?page=2>; rel="next"' })
      .post(LIST)
      .reply(201, { id: 3003 });
    expect(await upsertStickyComment({ target, body: `${MARKER}\nx`, marker: MARKER })).toMatchObject({ action: 'created', id: 3003 });
    expect(scope.isDone()).toBe(true);
  });

  it("never edits a person's comment that quotes the marker; --comment-author picks a login instead of bots", async () => {
    const scope = nock(API)
      .get(LIST)
      .query({ per_page: '100' })
      .reply(200, [{ id: 4, body: `quoting ${MARKER}`, user: person }])
      .post(LIST)
      .reply(201, { id: 4004 });
    expect(await upsertStickyComment({ target, body: `${MARKER}\nx`, marker: MARKER })).toMatchObject({ action: 'created', id: 4004 });
    expect(scope.isDone()).toBe(true);

    const own = nock(API)
      .get(LIST)
      .query({ per_page: '100' })
      .reply(200, [
        { id: 5, body: `${MARKER}\nby another bot`, user: { login: 'other[bot]', type: 'Bot' } },
        { id: 6, body: `${MARKER}\nmine`, user: { login: 'ci-user', type: 'User' } },
      ])
      .patch('/repos/acme/shop/issues/comments/6')
      .reply(200, { id: 6 });
    expect(await upsertStickyComment({ target, body: `${MARKER}\nx`, marker: MARKER, author: 'ci-user' })).toMatchObject({ action: 'updated', id: 6 });
    expect(own.isDone()).toBe(true);
  });

  describe('GitHub errors are one clear message, exit 2, without the token', () => {
    const cases: Array<[string, number, Record<string, string>, object, RegExp, RegExp]> = [
      ['401', 401, {}, { message: 'Bad credentials' }, /GitHub rejected the token \(401\) while listing comments on acme\/shop#42: Bad credentials/, /GITHUB_TOKEN is missing, expired or revoked/],
      ['403 permission', 403, { 'x-ratelimit-remaining': '4999' }, { message: 'Resource not accessible by integration' }, /the token may not do that \(403\).*Resource not accessible by integration/, /pull-requests: write/],
      ['403 rate limit', 403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '1900000000' }, { message: 'API rate limit exceeded for installation' }, /rate limit was hit \(403\)/, /after 2030-03-17T17:46:40.000Z/],
      ['403 secondary rate limit', 403, { 'retry-after': '60' }, { message: 'You have exceeded a secondary rate limit' }, /rate limit was hit \(403\)/, /in 60 s/],
      ['429', 429, { 'retry-after': '30' }, { message: 'Too Many Requests' }, /rate limit was hit \(429\)/, /in 30 s/],
      ['404', 404, {}, { message: 'Not Found' }, /no such repository or pull request \(404\)/, /--pr/],
      ['500', 500, {}, { message: 'Server Error' }, /GitHub answered 500/, /run the job again later/],
    ];
    it.each(cases)('%s while listing', async (_name, status, headers, body, message, hint) => {
      nock(API).get(LIST).query({ per_page: '100' }).reply(status, body, headers);
      const error = await failure(upsertStickyComment({ target, body: 'x', marker: MARKER }));
      expect(error).toMatchObject({ code: 'EGITHUB' });
      expect(error.message).toMatch(message);
      expect(error.hint).toMatch(hint);
      expect(`${error.message} ${error.hint}`).not.toContain(TOKEN);
    });

    it('422 while creating names GitHub\'s reason', async () => {
      nock(API)
        .get(LIST)
        .query({ per_page: '100' })
        .reply(200, [])
        .post(LIST)
        .reply(422, { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] });
      const error = await failure(upsertStickyComment({ target, body: 'x', marker: MARKER }));
      expect(error.code).toBe('EGITHUB');
      expect(error.message).toMatch(/GitHub refused the comment \(422\) while creating a comment on acme\/shop#42: Validation Failed \(body is too long/);
    });

    it('403 while editing (a comment the token may not edit)', async () => {
      nock(API)
        .get(LIST)
        .query({ per_page: '100' })
        .reply(200, [{ id: 9, body: MARKER, user: bot }])
        .patch('/repos/acme/shop/issues/comments/9')
        .reply(403, { message: 'Must have admin rights to Repository.' });
      const error = await failure(upsertStickyComment({ target, body: 'x', marker: MARKER }));
      expect(error.message).toMatch(/\(403\) while updating comment 9 on acme\/shop#42/);
    });

    it('a network failure', async () => {
      nock(API).get(LIST).query({ per_page: '100' }).replyWithError('socket hang up');
      const error = await failure(upsertStickyComment({ target, body: 'x', marker: MARKER }));
      expect(error.code).toBe('EGITHUB');
      expect(error.message).toMatch(/could not reach GitHub at https:\/\/api\.github\.com while listing comments on acme\/shop#42: socket hang up/);
    });
  });
});

describe('githubTarget', () => {
  function event(content: object): string {
    const file = join(tempDir(), 'event.json');
    writeFileSync(file, JSON.stringify(content));
    return file;
  }

  it('reads the pull request from the pull_request event, and the repository and token from the environment', () => {
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_PATH: event({ action: 'synchronize', number: 42, pull_request: { number: 42 } }) };
    expect(githubTarget(env, {})).toEqual({ apiUrl: API, owner: 'acme', repo: 'shop', number: 42, token: TOKEN });
    // GitHub Enterprise: its API root; flags win over the environment.
    expect(githubTarget({ ...env, GITHUB_API_URL: 'https://ghe.example.com/api/v3/' }, { repo: 'other/repo', pr: 7 })).toEqual({ apiUrl: 'https://ghe.example.com/api/v3', owner: 'other', repo: 'repo', number: 7, token: TOKEN });
  });

  it('reads an issue_comment event on a pull request', () => {
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_PATH: event({ issue: { number: 9, pull_request: { url: 'x' } } }) };
    expect(githubTarget(env, {}).number).toBe(9);
  });

  it.each([
    ['no token', { GITHUB_REPOSITORY: 'acme/shop' }, {}, /needs a token in the GITHUB_TOKEN/],
    ['no repository', { GITHUB_TOKEN: TOKEN }, { pr: 1 }, /GITHUB_REPOSITORY is not set/],
    ['a bad repository', { GITHUB_TOKEN: TOKEN }, { repo: 'not a repo', pr: 1 }, /"not a repo" is not a repository name/],
    ['no pull request', { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop' }, {}, /pass --pr, or run on a pull_request event/],
    ['a bad pull request number', { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop' }, { pr: Number.NaN }, /--pr NaN is not a pull request number/],
    ['a clear-text API', { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_API_URL: 'http://ghe.example.com/api/v3' }, { pr: 1 }, /is not https/],
  ])('fails clearly with %s', (_name, env, flags, message) => {
    expect(() => githubTarget(env, flags)).toThrow(message);
  });

  it('fails clearly on a push event, which is about no pull request', () => {
    const env = { GITHUB_TOKEN: TOKEN, GITHUB_REPOSITORY: 'acme/shop', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event({ ref: 'refs/heads/main', after: 'abc' }) };
    expect(() => githubTarget(env, {})).toThrow(/the event in GITHUB_EVENT_PATH \(push\) is not about a pull request/);
  });
});
