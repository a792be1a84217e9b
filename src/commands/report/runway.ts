// The Node.js runway: which release lines are supported on the report date,
// when each reaches end-of-life, and how long the project's engines.node
// keeps it on a supported line. Dates come from node-releases through the
// engines check's schedule (src/checks/engines/schedule.ts), never from the network.

import { createRequire } from 'node:module';
import { AsOf, loadSchedule, type NodeLine } from '../../checks/engines/schedule.js';
import { overlaps, parseRange } from '../../checks/engines/version-set.js';
import type { DepGraph } from '../../model.js';
import { own } from '../../util/json.js';
import { daysBetween, type NodeLineStatus, type Runway } from '../../render/report-model.js';

/** A line that starts within this many days is listed as upcoming. */
const UPCOMING_DAYS = 365;

let maintenanceDates: Map<string, string> | undefined;

/** When each line enters maintenance: the schedule's `maintenance` field, which loadSchedule() does not keep. */
function maintenanceStart(line: NodeLine): string | null {
  if (!maintenanceDates) {
    const raw = createRequire(import.meta.url)('node-releases/data/release-schedule/release-schedule.json') as Record<string, Record<string, string>>;
    maintenanceDates = new Map(Object.entries(raw).flatMap(([key, entry]) => (entry.maintenance ? [[key.slice(1), entry.maintenance] as const] : [])));
  }
  return maintenanceDates.get(line.label) ?? null;
}

function status(line: NodeLine, asOf: AsOf): NodeLineStatus['status'] {
  if (!asOf.started(line)) return 'upcoming';
  const maintenance = maintenanceStart(line);
  const inMaintenance = maintenance !== null && maintenance <= asOf.today;
  if (line.lts !== null && line.lts <= asOf.today) return inMaintenance ? 'maintenance-lts' : 'active-lts';
  return inMaintenance ? 'maintenance' : 'current';
}

export function runway(graph: DepGraph, today: string): Runway {
  const asOf = new AsOf(loadSchedule(), today);
  const engines = own<unknown>(graph.manifest, 'engines');
  const declared = engines !== null && typeof engines === 'object' ? own<unknown>(engines as Record<string, unknown>, 'node') : undefined;
  const range = typeof declared === 'string' && declared.trim() !== '' ? declared.trim() : null;
  const set = range === null ? null : parseRange(range);
  const lines: NodeLineStatus[] = asOf.schedule.lines
    .filter((line) => asOf.maintained(line) || (!asOf.started(line) && daysBetween(today, line.start) <= UPCOMING_DAYS))
    .map((line) => ({
      line: line.label,
      codename: line.codename,
      status: status(line, asOf),
      start: line.start,
      lts: line.lts,
      maintenance: maintenanceStart(line),
      end: line.end,
      daysLeft: asOf.daysUntil(line.end),
      admitted: set === null ? null : overlaps(set, line.set),
    }));
  // Without a (readable) engines.node the project is judged against the LTS lines, as the engines check does.
  const counted = lines.filter((line) => line.status !== 'upcoming' && (line.admitted ?? (line.status === 'active-lts' || line.status === 'maintenance-lts')));
  const byEnd = [...counted].sort((a, b) => (a.end < b.end ? -1 : a.end > b.end ? 1 : 0));
  const last = byEnd.at(-1) ?? null;
  const first = byEnd[0] ?? null;
  return {
    engines: range,
    lines,
    endOfLifeAdmitted: set === null ? [] : asOf.schedule.lines.filter((line) => asOf.ended(line) && overlaps(set, line.set)).map((line) => line.label),
    runwayEnd: last?.end ?? null,
    runwayDays: last?.daysLeft ?? null,
    nextEnd: first ? { line: first.line, end: first.end, daysLeft: first.daysLeft } : null,
  };
}
