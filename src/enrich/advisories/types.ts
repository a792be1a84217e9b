// One advisory type for every source (npm's bulk endpoint, the OSV API, an
// offline OSV database), so matching, findings and waivers never care where
// an advisory came from.

import type { Severity } from '../../model.js';

/** Where an advisory came from: `npm` (bulk endpoint), `osv` (OSV API), `osv-db` (a folder or zip). */
export type AdvisoryOrigin = 'npm' | 'osv' | 'osv-db';

export interface Cvss {
  /** The CVSS vector (`CVSS:3.1/AV:N/…`), when the source gives one. */
  vector: string | null;
  /** The base score, when the source gives one or it can be computed from a CVSS v3 vector. */
  score: number | null;
}

export interface Advisory {
  /** The source's own id: `GHSA-…`, `MAL-…`, or npm's numeric id as a string for old npm advisories. */
  id: string;
  /** Other ids of the same advisory (GHSA, CVE, MAL, npm's numeric id). Never includes `id`. */
  aliases: string[];
  /** The npm package it affects (one advisory per package: a record naming two packages becomes two). */
  package: string;
  title: string;
  url: string | null;
  severity: Severity;
  cvss: Cvss | null;
  cwe: string[];
  /** The vulnerable versions as a node-semver range (matched with includePrerelease and loose, as npm does). */
  range: string;
  /** The first fixed versions the source names (OSV `fixed` events); empty when it names none. */
  patched: string[];
  /** A malicious-package report (OSV MAL-…, or GitHub's malware advisories): every matching version is malware. */
  malicious: boolean;
  origin: AdvisoryOrigin;
}

/** The packages to ask about: package name -> installed versions (what npm sends to the bulk endpoint). */
export type AdvisoryQuery = Map<string, Set<string>>;

/** A source of advisories, asked once per run with every package of the tree. */
export interface AdvisorySource {
  /** How it is named in messages and in the JSON output: `npm (https://…/)`, `osv (https://api.osv.dev)`, a path. */
  readonly name: string;
  /** Advisories that may affect the queried packages (a source may return more; matching decides). */
  advisories(query: AdvisoryQuery): Promise<AdvisoryLookup>;
}

export interface AdvisoryLookup {
  advisories: Advisory[];
  /** Records skipped as unreadable (not JSON, a range that is not semver): reported as warnings. */
  skipped: Array<{ where: string; reason: string }>;
  /** The source that answered, when a chain of sources (`auto`) asked several. */
  answeredBy?: string;
  /** Why earlier sources of a chain did not answer, one line each (`npm (…): … answered 405`). */
  fellBack?: string[];
  /** Packages no source was asked about (private-registry names kept from a public API), by name. */
  unchecked?: string[];
}

/**
 * The chosen source could not be reached or answered something that is not
 * advisory data. Fails the run (exit 2) unless advisories are optional.
 */
export class AdvisorySourceError extends Error {
  readonly source: string;
  readonly hint: string | undefined;
  /** The HTTP status the source answered, when it answered one (404, 405, 501: it has no such endpoint). */
  readonly status: number | undefined;

  constructor(source: string, message: string, details: { hint?: string; cause?: unknown; status?: number } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'AdvisorySourceError';
    this.source = source;
    this.hint = details.hint;
    this.status = details.status;
  }
}
