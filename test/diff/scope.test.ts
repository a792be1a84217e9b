// Which packages a diff judges (src/commands/diff/scope.ts): those the change
// added, removed or changed; and an unchanged one whose dependency paths the
// change moved into or out of a path waiver, so that the waiver is judged
// again on both sides instead of silently no longer covering a finding.
import { describe, expect, it } from 'vitest';
import { changeScope } from '../../src/commands/diff/scope.js';
import type { WaiverRef } from '../../src/model.js';
import { edge, graph, node } from '../helpers/graph.js';

// base: app > a > x; head: app > b > x (a replaced by b, x itself unchanged).
const x = () => node({ location: 'node_modules/x', version: '2.0.0' });
const base = graph({ name: 'app' }, [node({ location: 'node_modules/a', edgesOut: [edge('x', '^2.0.0', 'node_modules/x')] }), x()], [edge('a', '^1.0.0', 'node_modules/a')]);
const head = graph({ name: 'app' }, [node({ location: 'node_modules/b', edgesOut: [edge('x', '^2.0.0', 'node_modules/x')] }), x()], [edge('b', '^1.0.0', 'node_modules/b')]);
const waiver = (fields: Partial<WaiverRef>): WaiverRef => ({ id: 'advisories', reason: 'reachable only through a', expires: '2027-01-01', ...fields });
const judged = (waivers: WaiverRef[]) => {
  const { scope } = changeScope(base, head, waivers);
  return [...head.nodes.values(), ...base.nodes.values()].filter((n) => scope.judges(n)).map((n) => n.location);
};

describe('diff scope', () => {
  it('judges what the change added and removed, not an unchanged package', () => {
    expect(judged([])).toEqual(['node_modules/b', 'node_modules/a']);
  });

  it('judges an unchanged package again when the change moves it out of (or into) a path waiver', () => {
    expect(judged([waiver({ package: 'x', path: 'a>x' })])).toEqual(['node_modules/b', 'node_modules/x', 'node_modules/a', 'node_modules/x']);
    expect(judged([waiver({ path: '*>x' })])).toEqual(['node_modules/b', 'node_modules/a']);
    expect(judged([waiver({ package: 'y', path: 'a>*' })])).toEqual(['node_modules/b', 'node_modules/a']);
    expect(changeScope(base, head, [waiver({ path: 'b>x' })]).scope.audits(head.nodes.get('node_modules/x')!)).toBe(true);
  });
});
