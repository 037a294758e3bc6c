import assert from 'node:assert/strict';
import { it } from 'node:test';
import { csvCell, csvLine, csvText } from './csv.js';

it('quotes every text cell, doubling its quotes', () => {
  assert.equal(csvCell('金卡'), '"金卡"');
  assert.equal(csvCell('a "b", c\r\nd'), '"a ""b"", c\r\nd"');
});

it('makes a formula start inert with an apostrophe, inside the quotes', () => {
  for (const c of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(csvCell(c), `"'${c}"`);
});

it('writes numbers as numbers (a negative one too) and nothing for a missing or non-finite one', () => {
  assert.equal(csvCell(-1234.56), '-1234.56');
  assert.equal(csvCell(0.125), '0.125');
  assert.equal(csvCell(null), '');
  assert.equal(csvCell(undefined), '');
  assert.equal(csvCell(Number.NaN), '');
  assert.equal(csvLine(['a', 1, null]), '"a",1,');
});

it('a file starts with a BOM and ends every row with CRLF', () => {
  assert.equal(csvText([['h'], [1]]), '\uFEFF"h"\r\n1\r\n');
});
