// The product's one CSV writer (src/shared/csv.ts): quoting, numbers written in full, and one guard that
// keeps text a spreadsheet would run as a formula inert while numbers stay numbers.
import * as assert from 'node:assert/strict';
import { csvField, writeCsv } from '../../src/shared/csv';
import { toCsv } from '../../src/panels/chartData';

describe('CSV writer', () => {
  it('quotes what CSV needs quoted', () => {
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField('plain'), 'plain');
  });

  it('makes formulas inert, numbers excepted', () => {
    for (const formula of ['=1+2', '+A1', '-1+A1', '-A1', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")']) {
      assert.ok(csvField(formula).replace(/^"/, '').startsWith("'"), formula);
    }
    for (const number of ['-1.5', '+2', '-3e-7', '1e+21', '-Infinity', '-.5']) assert.equal(csvField(number), number);
  });

  it('writes numbers in full and NaN, infinities and nothing by name', () => {
    assert.equal(writeCsv(['a', 'b', 'c', 'd', 'e'], [[0.1 + 0.2, NaN, Infinity, -Infinity, null]]), 'a,b,c,d,e\n0.30000000000000004,NaN,Infinity,-Infinity,\n');
  });

  it('writes a chart: one row per step, one column per line, empty where a line has no value', () => {
    const series = (version: string, steps: number[], values: number[]) => ({
      key: 'loss', version, steps: Float64Array.from(steps), values: Float64Array.from(values), total: steps.length, exact: true, segments: [],
      nonFinite: { nan: 0, posInf: 0, negInf: 0 },
    });
    const csv = toCsv([
      { label: 'base (r1)', series: series('v1', [0, 1, 2], [1, 0.5, NaN]) },
      { label: '=evil', series: series('v2', [1, 3], [2, -1]) },
    ]);
    assert.equal(csv, "step,base (r1),'=evil\n0,1,\n1,0.5,2\n2,NaN,\n3,,-1\n");
  });
});
