import type { AuditResult, Severity } from '../model.js';

export interface ReportOptions {
  /** ANSI colour: only on a TTY and never with NO_COLOR; decided by the CLI. */
  color: boolean;
  /** The --fail-on threshold, for the summary line; 'none' never fails. */
  failOn: Severity | 'none';
  /** Terminal width for the table (the CLI passes the TTY's); 120 when absent. */
  width?: number;
  /** Table rows per rule: a number (--limit), null for every row (--all); the table's default when absent. */
  limit?: number | null;
}

/** A reporter is a pure function of the result. */
export type Reporter = (result: AuditResult, options: ReportOptions) => string;
