// The report page's four inline SVG charts (findings by check and severity,
// dependency age, the trend against the previous report, the Node.js
// runway). Each is an image with a title and a description; its numbers are
// also in a table of the page.

import { e, SEVERITY_COLOR } from './html.js';
import { LINE_STATUS_LABEL, plural, SEVERITIES_WORST_FIRST } from './report-labels.js';
import { daysBetween, type ReportDocument } from './report-model.js';

/** An inline SVG chart: an image whose title and description say what it shows. */
function svg(id: string, width: number, height: number, label: string, description: string, body: string): string {
  return `<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc"><title id="${id}-title">${e(label)}</title><desc id="${id}-desc">${e(description)}</desc>${body}</svg><figcaption>${e(label)}</figcaption></figure>`;
}

function legend(x: number, y: number, items: Array<{ label: string; color: string }>): string {
  let offset = x;
  return items
    .map(({ label, color }) => {
      const part = `<rect x="${offset}" y="${y}" width="12" height="12" fill="${color}"/><text x="${offset + 16}" y="${y + 10}" class="small">${e(label)}</text>`;
      offset += 24 + label.length * 7;
      return part;
    })
    .join('');
}

/** Horizontal stacked bars: unwaived findings per check, by severity. */
export function severityChart(document: ReportDocument): string {
  const rows = document.report.findingsByCheck.filter((entry) => SEVERITIES_WORST_FIRST.some((severity) => entry.counts[severity] > 0));
  if (rows.length === 0) return '';
  const max = Math.max(...rows.map((entry) => SEVERITIES_WORST_FIRST.reduce((sum, severity) => sum + entry.counts[severity], 0)));
  const left = 150;
  const width = 640;
  const bar = 20;
  const gap = 10;
  const top = 30;
  const scale = (width - left - 50) / max;
  const height = top + rows.length * (bar + gap) + 10;
  const bars = rows
    .map((entry, index) => {
      const y = top + index * (bar + gap);
      let x = left;
      const total = SEVERITIES_WORST_FIRST.reduce((sum, severity) => sum + entry.counts[severity], 0);
      const segments = SEVERITIES_WORST_FIRST.filter((severity) => entry.counts[severity] > 0)
        .map((severity) => {
          const w = Math.max(2, entry.counts[severity] * scale);
          const part = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${bar}" fill="${SEVERITY_COLOR[severity]}"><title>${e(`${entry.check}: ${entry.counts[severity]} ${severity}`)}</title></rect>`;
          x += w;
          return part;
        })
        .join('');
      return `<text x="${left - 8}" y="${y + 15}" text-anchor="end">${e(entry.check)}</text>${segments}<text x="${(x + 6).toFixed(1)}" y="${y + 15}">${total}</text>`;
    })
    .join('');
  const description = rows.map((entry) => `${entry.check}: ${SEVERITIES_WORST_FIRST.filter((severity) => entry.counts[severity] > 0).map((severity) => `${entry.counts[severity]} ${severity}`).join(', ')}`).join('; ');
  return svg('chart-severity', width, height, 'Unwaived findings by check and severity', `Unwaived findings per check: ${description}.`, legend(left, 6, SEVERITIES_WORST_FIRST.map((severity) => ({ label: severity, color: SEVERITY_COLOR[severity] }))) + bars);
}

/** Vertical bars: how old the resolved versions of direct dependencies are. */
export function ageChart(document: ReportDocument): string {
  const ages = document.report.freshness.ages;
  if (ages.length === 0 || ages.every((age) => age.packages === 0)) return '';
  const width = 640;
  const height = 220;
  const bottom = 180;
  const max = Math.max(...ages.map((age) => age.packages));
  const slot = (width - 40) / ages.length;
  const bars = ages
    .map((age, index) => {
      const h = max === 0 ? 0 : Math.round((age.packages / max) * 140);
      const x = 20 + index * slot + slot * 0.2;
      const w = slot * 0.6;
      const color = index >= 3 ? '#b45309' : '#1d4ed8';
      return `<rect x="${x.toFixed(1)}" y="${bottom - h}" width="${w.toFixed(1)}" height="${h}" fill="${age.label === 'unknown' ? '#9ca3af' : color}"/><text x="${(x + w / 2).toFixed(1)}" y="${bottom - h - 6}" text-anchor="middle">${age.packages}</text><text x="${(x + w / 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" class="small">${e(age.label)}</text>`;
    })
    .join('');
  const description = ages.map((age) => `${age.label}: ${plural(age.packages, 'package')}`).join('; ');
  return svg('chart-ages', width, height, 'Age of the resolved versions of direct dependencies', `Direct dependencies by the age of their resolved version: ${description}.`, `<line x1="20" y1="${bottom}" x2="${width - 20}" y2="${bottom}" class="axis"/>${bars}`);
}

/** Grouped bars: findings by severity in the previous and this report. */
export function trendChart(document: ReportDocument): string {
  const trend = document.report.trend;
  if (!trend) return '';
  const groups = [...SEVERITIES_WORST_FIRST, 'waived'] as const;
  const value = (side: 'previous' | 'current', key: (typeof groups)[number]) => trend.summary[side][key];
  const max = Math.max(1, ...groups.flatMap((key) => [value('previous', key), value('current', key)]));
  const width = 640;
  const height = 230;
  const bottom = 180;
  const slot = (width - 40) / groups.length;
  const bars = groups
    .map((key, index) => {
      const x = 20 + index * slot + slot * 0.15;
      const w = slot * 0.32;
      return (['previous', 'current'] as const)
        .map((side, sideIndex) => {
          const count = value(side, key);
          const h = Math.round((count / max) * 130);
          const bx = x + sideIndex * (w + 4);
          return `<rect x="${bx.toFixed(1)}" y="${bottom - h}" width="${w.toFixed(1)}" height="${h}" fill="${side === 'previous' ? '#9ca3af' : '#1d4ed8'}"/><text x="${(bx + w / 2).toFixed(1)}" y="${bottom - h - 5}" text-anchor="middle" class="small">${count}</text>`;
        })
        .join('') + `<text x="${(x + w + 2).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" class="small">${key}</text>`;
    })
    .join('');
  const description = groups.map((key) => `${key}: ${value('previous', key)} then ${value('current', key)}`).join('; ');
  return svg(
    'chart-trend',
    width,
    height,
    `Findings on ${trend.previousDate} and ${document.report.date}`,
    `${description}.`,
    legend(20, 6, [
      { label: trend.previousDate, color: '#9ca3af' },
      { label: document.report.date, color: '#1d4ed8' },
    ]) + `<line x1="20" y1="${bottom}" x2="${width - 20}" y2="${bottom}" class="axis"/>${bars}`,
  );
}

/** A timeline of the listed Node.js lines from start to end-of-life, with the report date marked. */
export function runwayChart(document: ReportDocument): string {
  const { lines } = document.report.runway;
  if (lines.length === 0) return '';
  const date = document.report.date;
  const from = [date, ...lines.map((line) => line.start)].sort()[0]!;
  const to = [...lines.map((line) => line.end)].sort().at(-1)!;
  const span = Math.max(1, daysBetween(from, to));
  const left = 130;
  const width = 640;
  const top = 24;
  const bar = 18;
  const gap = 10;
  const x = (day: string) => left + (daysBetween(from, day) / span) * (width - left - 20);
  const height = top + lines.length * (bar + gap) + 24;
  const rows = lines
    .map((line, index) => {
      const y = top + index * (bar + gap);
      const color = line.admitted === false ? '#9ca3af' : line.status === 'upcoming' ? '#93c5fd' : line.daysLeft <= 180 ? '#b45309' : '#15803d';
      return `<text x="${left - 8}" y="${y + 13}" text-anchor="end">${e(`Node.js ${line.line}${line.codename ? ` ${line.codename}` : ''}`)}</text><rect x="${x(line.start).toFixed(1)}" y="${y}" width="${Math.max(2, x(line.end) - x(line.start)).toFixed(1)}" height="${bar}" fill="${color}"><title>${e(`${line.line}: ${line.start} to ${line.end}`)}</title></rect>`;
    })
    .join('');
  const marker = x(date).toFixed(1);
  const years = [];
  for (let year = Number(from.slice(0, 4)) + 1; year <= Number(to.slice(0, 4)); year++) {
    const at = x(`${year}-01-01`).toFixed(1);
    years.push(`<line x1="${at}" y1="${top - 4}" x2="${at}" y2="${height - 20}" class="grid"/><text x="${at}" y="${height - 6}" text-anchor="middle" class="small">${year}</text>`);
  }
  const description = lines.map((line) => `${line.line}: ${LINE_STATUS_LABEL[line.status]}, end of life ${line.end}${line.admitted === false ? ', not admitted by engines.node' : ''}`).join('; ');
  return svg(
    'chart-runway',
    width,
    height,
    'Node.js release lines from start to end-of-life',
    `Report date ${date}. ${description}.`,
    `${years.join('')}${rows}<line x1="${marker}" y1="${top - 8}" x2="${marker}" y2="${height - 20}" class="today"/><text x="${marker}" y="${top - 10}" text-anchor="middle" class="small">${e(date)}</text>`,
  );
}
