// Every CLI command, in the order --help lists them. A new command is one
// file in this folder and one line here.
import { check } from './check.js';
import { db } from './db.js';
import { diffCommand } from './diff.js';
import { fix } from './fix.js';
import { reportCommand } from './report.js';
import { sbomCommand } from './sbom.js';
import type { Command } from './types.js';

export const COMMANDS: ReadonlyArray<Command<any>> = [check, diffCommand, reportCommand, sbomCommand, fix, db];
