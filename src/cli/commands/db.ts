// depguard db update: download the npm advisories of osv.dev into a folder
// (default: under npm's cache) for offline runs with --advisory-source db.

import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { DEFAULT_EXPORT_URL, updateDatabase } from '../../enrich/advisories/db-update.js';
import { defaultDatabaseDir } from '../../enrich/advisories/source.js';
import { AdvisorySourceError } from '../../enrich/advisories/types.js';
import { DepguardError } from '../../errors.js';
import { loadNpmConfig } from '../../enrich/npm-config.js';
import { EXIT } from '../options.js';
import type { Command } from './types.js';

interface DbArgs {
  action: 'update';
  dir?: string;
  url: string;
  cache?: string;
  debug: boolean;
}

async function handler(args: DbArgs): Promise<number> {
  if (!/^https?:\/\/[^/]/.test(args.url)) throw new DepguardError('EBAD_ARGS', `--url: "${args.url}" is not an http(s) URL`, { field: '--url' });
  const cwd = process.cwd();
  const npm = await loadNpmConfig(cwd, args.cache !== undefined ? { cache: args.cache } : {});
  const dir = args.dir !== undefined ? resolve(args.dir) : defaultDatabaseDir(npm.cache);
  try {
    const result = await updateDatabase({ dir, url: args.url, fetchOptions: npm.fetchOptions, offline: npm.offline });
    for (const { where, reason } of result.skipped.slice(0, 10)) process.stderr.write(`depguard: skipped ${where}: ${reason}\n`);
    if (result.skipped.length > 10) process.stderr.write(`depguard: skipped ${result.skipped.length - 10} more records\n`);
    process.stdout.write(`${result.records} OSV records (${result.advisories} npm advisories for ${result.packages} packages) from ${args.url} in ${dir}\nuse them with: depguard check --advisory-source ${args.dir !== undefined ? dir : 'db'}\n`);
    return EXIT.clean;
  } catch (error) {
    if (!(error instanceof AdvisorySourceError)) throw error;
    throw new DepguardError('EADVISORIES', `could not update the advisory database in ${dir}: ${error.message}`, {
      hint: 'check the network (or the proxy settings in .npmrc); the previous database, if any, is unchanged',
      cause: error,
    });
  }
}

export const db: Command<DbArgs> = {
  command: 'db <action>',
  describe: 'manage the offline advisory database: `db update` downloads the npm advisories of osv.dev',
  builder: (yargs: Argv) =>
    yargs
      .positional('action', { choices: ['update'] as const, describe: 'update: download the OSV export of npm advisories and index it' })
      .option('dir', { type: 'string', describe: "folder to keep it in (default: _depguard/osv-db under npm's cache)" })
      .option('url', { type: 'string', default: DEFAULT_EXPORT_URL, describe: 'the OSV export to download (a zip of OSV records)' })
      .option('cache', { type: 'string', describe: "npm's cache folder (default: npm's `cache` setting, ~/.npm)" })
      .option('debug', { type: 'boolean', default: false, describe: 'print stack traces of internal errors' }),
  handler,
  examples: [
    ['$0 db update', 'download the npm advisories for offline audits'],
    ['$0 check --offline --advisory-source db', 'audit with them, without any network'],
  ],
};
