import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvCell, csvLine } from './audit-export.js';

describe('the audit export’s CSV cells', () => {
  it('quotes every text, doubling quotes; numbers, booleans and null bare', () => {
    assert.equal(csvCell('plain 文本'), '"plain 文本"');
    assert.equal(csvCell('a;=1+1'), '"a;=1+1"', 'a spreadsheet splitting on ; keeps it one cell, no formula');
    assert.equal(csvCell(''), '""');
    assert.equal(csvCell('a,b'), '"a,b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell('cr\rhere'), '"cr\rhere"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(42), '42');
    assert.equal(csvCell(-1), '-1', 'a number is no formula');
    assert.equal(csvCell(false), 'false');
  });

  it('puts a quote mark before a text a spreadsheet would run as a formula', () => {
    for (const formula of ['=1+2', '+1', '-2+3', '@SUM(A1)', '\tx', '\rx'])
      assert.ok(csvCell(formula).replace(/^"/, '').startsWith(`'${formula[0]}`), formula);
    assert.equal(csvCell('=HYPERLINK("http://x","y")'), `"'=HYPERLINK(""http://x"",""y"")"`);
    assert.equal(csvCell('a=1'), '"a=1"', 'only at the start');
  });

  it('a line reads back as the cells it was made of (neutralised ones with their mark)', () => {
    const cells = ['材料不全, 见 "附件二"\n请补充', '=cmd|x', '', 'ok'];
    const line = csvLine([...cells, null, 7]);
    assert.ok(line.endsWith('\r\n'));
    assert.deepEqual(parse(line), [[cells[0], `'${cells[1]}`, '', 'ok', '', '7']]);
  });
});
