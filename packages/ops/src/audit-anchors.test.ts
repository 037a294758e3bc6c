import assert from 'node:assert/strict';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { open } from 'node:fs/promises';
import {
  AnchorsFile,
  AnchorsIndex,
  acceptedLinesFromEnv,
  anchorLine,
  anchorSettingsFromEnv,
  appendAnchors,
  countsAgainst,
  parseAnchorLine,
  parseAnchors,
  readAnchorsFile,
  type MalformedLine,
} from './audit-anchors.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-anchors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const HASH = `sha256:${'ab'.repeat(32)}`;
const anchor = (chain: string, seq: number) => ({ chain, seq, hash: HASH, at: '2026-12-04T10:00:00.000Z' });

describe('an anchors line', () => {
  it('reads a whole anchor, and says why of each line that is not one, never throwing', () => {
    assert.deepEqual(parseAnchorLine(`{"tenant":"bank","seq":3,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, 7), {
      chain: 'bank',
      seq: 3,
      hash: HASH,
      at: '2026-12-04T10:00:00Z',
      line: 7,
    });
    const cases: [string, RegExp][] = [
      ['{"tenant":"bank"', /^not JSON/],
      ['[1,2]', /^not a JSON object/],
      ['null', /^not a JSON object/],
      [`{"seq":3,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, /"tenant"/],
      [`{"tenant":"b\\u0000x","seq":3,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, /"tenant" must be a tenant id or "\*"/],
      [`{"tenant":"../bank","seq":3,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, /"tenant"/],
      [
        `{"tenant":"bank","seq":3000000000,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`,
        /"seq" must be a whole number from 1 to 2147483647/,
      ],
      [`{"tenant":"bank","seq":2147483648,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, /"seq"/],
      [`{"tenant":"bank","seq":3,"hash":"${HASH}","at":"2026-02-30T10:00:00Z"}`, /"at" must be an ISO time in UTC \(…Z\) that exists/],
      [`{"tenant":"bank","seq":3,"hash":"${HASH}","at":"2026-12-04T24:00:00Z"}`, /"at"/],
      [`{"tenant":"bank","seq":0,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, /"seq"/],
      [`{"tenant":"bank","seq":1.5,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`, /"seq"/],
      ['{"tenant":"bank","seq":3,"hash":"md5:00","at":"2026-12-04T10:00:00Z"}', /"hash"/],
      [`{"tenant":"bank","seq":3,"hash":"${HASH}","at":"2026-12-04T18:00:00+08:00"}`, /"at" must be an ISO time in UTC/],
      [`{"tenant":"bank","seq":3,"hash":"${HASH}","at":"2026-13-45T10:00:00Z"}`, /"at"/],
    ];
    const star = parseAnchorLine(`{"tenant":"*","seq":2147483647,"hash":"${HASH}","at":"2024-02-29T10:00:00.5Z"}`, 1);
    assert.equal(typeof star, 'object', 'the refused-credentials chain, the largest seq and a leap day are anchors');
    for (const [text, why] of cases) {
      const got = parseAnchorLine(text, 1);
      assert.equal(typeof got, 'string', text);
      assert.match(got as string, why, text);
    }
    assert.deepEqual(
      parseAnchors('\n  \nnope\r\n').malformed,
      [{ line: 3, message: 'not JSON (a line cut short, or edited)' }],
      'blank lines skipped, CRLF read',
    );
  });

  it('names the chain a bad line could have been an anchor of: it counts against that chain alone; one naming none, against all', () => {
    const { malformed } = parseAnchors(
      [
        '{"tenant":"bank","seq":"x"}',
        '{"tenant":"bank","seq":3,"ha',
        '{ "tenant" : "*", "seq":',
        '{"tenant":"no such/id","seq":3}',
        '{"seq":3,"tenant":"bank"',
        '[1]',
        '',
      ].join('\n'),
    );
    assert.deepEqual(
      malformed.map((m) => [m.line, m.chain]),
      [
        [1, 'bank'],
        [2, 'bank'],
        [3, '*'],
        [4, undefined],
        [5, undefined],
        [6, undefined],
      ],
    );
    const [bank, , , unnamed] = malformed as [MalformedLine, MalformedLine, MalformedLine, MalformedLine];
    assert.deepEqual(
      [countsAgainst(bank, 'bank'), countsAgainst(bank, 'other'), countsAgainst(unnamed, 'bank'), countsAgainst(unnamed, 'other')],
      [true, false, true, true],
    );
  });
});

describe('reading an anchors file', () => {
  it('reads line by line across chunk boundaries, numbering lines as they are, and names a line too long to be one', async () => {
    const file = join(dir, 'chunks.jsonl');
    // Enough anchors that lines straddle the reader's 64 KiB chunks; a blank line, a huge one and a cut last line.
    const many = Array.from({ length: 2000 }, (_, i) => anchorLine(anchor(`t${i}`, i + 1)));
    writeFileSync(file, `${many.join('\n')}\n\n${'x'.repeat(200_000)}\n${anchorLine(anchor('last', 1))}\r\n{"tenant":"cut"`);
    const read = await readAnchorsFile(file);
    assert.equal(read.anchors.length, 2001);
    assert.deepEqual(
      read.anchors.slice(0, 3).map((a) => [a.chain, a.line]),
      [
        ['t0', 1],
        ['t1', 2],
        ['t2', 3],
      ],
    );
    assert.deepEqual([read.anchors.at(-1)?.chain, read.anchors.at(-1)?.line], ['last', 2003]);
    assert.deepEqual(read.malformed, [{ line: 2002, message: 'longer than 4096 bytes: not an anchor' }]);
    assert.equal(read.unfinished, 2004, 'a last line without its newline is still being written: not read');
    assert.deepEqual(read.anchors, parseAnchors(readFileSync(file, 'utf8')).anchors, 'the same anchors as the text read whole');
  });
});

describe('appending anchors', () => {
  it('keeps every line whole when many writers append to one file at once', async () => {
    const file = join(dir, 'many.jsonl');
    await Promise.all(Array.from({ length: 40 }, (_, i) => appendAnchors(file, [anchor(`t${i}`, i + 1), anchor(`u${i}`, i + 1)])));
    const read = parseAnchors(readFileSync(file, 'utf8'));
    assert.deepEqual(read.malformed, []);
    assert.equal(read.anchors.length, 80);
  });

  it('starts on a new line after a line cut short, which stays malformed', async () => {
    const file = join(dir, 'cut.jsonl');
    writeFileSync(file, '{"tenant":"bank","se');
    await appendAnchors(file, [anchor('bank', 2)]);
    const read = parseAnchors(readFileSync(file, 'utf8'));
    assert.deepEqual(
      read.anchors.map((a) => [a.chain, a.seq, a.line]),
      [['bank', 2, 2]],
    );
    assert.deepEqual(
      read.malformed.map((m) => m.line),
      [1],
    );
  });
});

describe('the last anchors of a file', () => {
  it('reads on from where it stopped, leaves a line without its newline for later, and starts over when the file shrank', async () => {
    const file = join(dir, 'last.jsonl');
    const last = new AnchorsFile(file);
    assert.equal((await last.lastAnchors()).size, 0, 'no file yet: no anchors');
    await appendAnchors(file, [anchor('a', 1), anchor('b', 1)]);
    await appendAnchors(file, [anchor('a', 2)]);
    assert.deepEqual(
      [...(await last.lastAnchors())].map(([c, a]) => [c, a.seq]),
      [
        ['a', 2],
        ['b', 1],
      ],
    );
    appendFileSync(file, `{"tenant":"b","seq":5,"hash":"${HASH}","at":"2026-12-04T10:00:00Z"}`);
    assert.equal((await last.lastAnchors()).get('b')?.seq, 1, 'a line still being written is not read');
    appendFileSync(file, '\n');
    assert.equal((await last.lastAnchors()).get('b')?.seq, 5);
    truncateSync(file, 0);
    await appendAnchors(file, [anchor('c', 9)]);
    assert.deepEqual([...(await last.lastAnchors()).keys()], ['c'], 'a file replaced is read from its start');

    // Replaced by a file at least as large (rotated, restored from a copy): another inode, read again.
    const other = join(dir, 'other.jsonl');
    await appendAnchors(other, [anchor('d', 1), anchor('e', 1)]);
    assert.ok(statSync(other).size >= statSync(file).size);
    renameSync(other, file);
    assert.deepEqual([...(await last.lastAnchors()).keys()].sort(), ['d', 'e'], 'a file replaced by a larger one is read from its start');
  });
});

describe('the server’s index of an anchors file', () => {
  /** An index whose reads are counted: the bytes read, and how many times the file was opened. */
  const counted = (file: string) => {
    const seen = { bytes: 0, opens: 0 };
    const index = new AnchorsIndex(file, {
      open: async (path) => {
        seen.opens++;
        const handle = await open(path, 'r');
        return {
          stat: () => handle.stat(),
          close: () => handle.close(),
          read: async (buffer: Buffer, offset: number, length: number, position: number) => {
            const r = await handle.read(buffer, offset, length, position);
            seen.bytes += r.bytesRead;
            return r;
          },
        };
      },
    });
    return { index, seen };
  };
  const other = (seq: number) => ({ ...anchor('bank', seq), hash: `sha256:${'cd'.repeat(32)}` });

  it('reads on from where it stopped: a second read reads only what was appended', async () => {
    const file = join(dir, 'index.jsonl');
    await appendAnchors(
      file,
      Array.from({ length: 500 }, (_, i) => anchor(`t${i % 50}`, i + 1)),
    );
    const { index, seen } = counted(file);
    assert.equal((await index.read('t7')).anchors.length, 10);
    assert.equal(seen.bytes, statSync(file).size, 'the first read reads the file once');
    const before = statSync(file).size;
    await appendAnchors(file, [anchor('t7', 900)]);
    seen.bytes = 0;
    const again = await index.read('t7');
    assert.equal(seen.bytes, statSync(file).size - before, 'then only the line appended');
    assert.deepEqual([again.anchors.length, again.anchors.at(-1)?.seq, again.malformed], [11, 900, 0]);
    seen.bytes = 0;
    await index.read('t8');
    assert.equal(seen.bytes, 0, 'nothing appended: nothing read, whichever chain is asked for');
  });

  it('keeps every anchor of a chain, not only the newest: a forged head anchored since does not hide the first', async () => {
    const file = join(dir, 'reanchored.jsonl');
    await appendAnchors(file, [anchor('bank', 6), anchor('bank', 6), other(6), anchor('x', 1)]);
    const read = await new AnchorsIndex(file).read('bank');
    assert.deepEqual(
      read.anchors.map((a) => [a.seq, a.hash]),
      [
        [6, HASH],
        [6, other(6).hash],
      ],
      'the same head written twice in a row is kept once; another hash at the same seq is kept',
    );
    assert.deepEqual(read.anchors[0], { chain: 'bank', seq: 6, hash: HASH, at: '2026-12-04T10:00:00.000Z' });
  });

  it('counts bad lines against the chain they name, or every chain; a last line still being written is not a line yet', async () => {
    const file = join(dir, 'index-bad.jsonl');
    await appendAnchors(file, [anchor('bank', 1), anchor('other', 1)]);
    appendFileSync(file, '{"tenant":"other","seq":"x"}\n');
    const index = new AnchorsIndex(file);
    assert.deepEqual([(await index.read('bank')).malformed, (await index.read('other')).malformed], [0, 1]);
    appendFileSync(file, '{"tenant":"bank","seq":2,"hash":"sha256:ab');
    assert.equal((await index.read('bank')).malformed, 0, 'unfinished: left for the next read');
    appendFileSync(file, `${'ab'.repeat(31)}","at":"2026-12-04T10:00:00Z"}\n`);
    const bank = await index.read('bank');
    assert.deepEqual([bank.anchors.map((a) => a.seq), bank.malformed], [[1, 2], 0], 'finished: read whole, as an anchor');
    appendFileSync(file, `${'x'.repeat(5000)}\n`);
    assert.deepEqual(
      [(await index.read('bank')).malformed, (await index.read('other')).malformed, (await index.read('new')).malformed],
      [1, 2, 1],
      'a line over 4 KiB names no chain: it counts against every one',
    );
  });

  it('shares a read under way, starts over when the file is replaced or shrank, and throws when it is gone', async () => {
    const file = join(dir, 'index-replaced.jsonl');
    await appendAnchors(file, [anchor('bank', 1), anchor('bank', 2)]);
    const { index, seen } = counted(file);
    const [a, b] = await Promise.all([index.read('bank'), index.read('bank')]);
    assert.deepEqual([a.anchors.length, b.anchors.length, seen.opens], [2, 2, 1], 'two verifications at once: one read');

    const next = join(dir, 'index-next.jsonl');
    await appendAnchors(next, [anchor('bank', 1), anchor('bank', 2), anchor('bank', 3)]);
    renameSync(next, file);
    assert.deepEqual(
      (await index.read('bank')).anchors.map((x) => x.seq),
      [1, 2, 3],
      'another file at the path is read from its start, the old one’s anchors forgotten',
    );
    truncateSync(file, 0);
    await appendAnchors(file, [anchor('bank', 7)]);
    assert.deepEqual(
      (await index.read('bank')).anchors.map((x) => x.seq),
      [7],
      'a file that shrank is read from its start',
    );
    rmSync(file);
    await assert.rejects(index.read('bank'), { code: 'ENOENT' });
  });

  it('counts no line the operator accepted (TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES) against anyone', async () => {
    const file = join(dir, 'index-accepted.jsonl');
    writeFileSync(file, `{"tenant":"bank","seq":1,"ha\n${anchorLine(anchor('bank', 2))}\ngarbage\n`);
    const accepted = acceptedLinesFromEnv({ TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES: ' 1, 3 ' });
    assert.deepEqual([...accepted], [1, 3]);
    assert.equal((await new AnchorsIndex(file).read('bank')).malformed, 2);
    const read = await new AnchorsIndex(file, { accepted }).read('bank');
    assert.deepEqual([read.malformed, read.anchors.length], [0, 1]);
    assert.equal((await new AnchorsIndex(file, { accepted: new Set([3]) }).read('bank')).malformed, 1, 'only the lines listed');
    for (const bad of ['0', '1,,2', 'x', '1;2', '-3'])
      assert.throws(() => acceptedLinesFromEnv({ TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES: bad }), /must be line numbers/, bad);
    assert.throws(
      () => anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES: '3' }, dir),
      /TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES is set but TIERKIT_AUDIT_ANCHOR_FILE is not/,
    );
    assert.deepEqual(anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: file, TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES: '3,1' }, dir), {
      file,
      minutes: 15,
      acceptedLines: [1, 3],
    });
  });
});

describe('TIERKIT_AUDIT_ANCHOR_FILE and _MINUTES', () => {
  it('are off unless a file is named; every 15 minutes by default; a bad value or a folder that is not there stops the start', () => {
    assert.equal(anchorSettingsFromEnv({}, dir), null);
    assert.deepEqual(anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: 'anchors.jsonl' }, dir), {
      file: join(dir, 'anchors.jsonl'),
      minutes: 15,
    });
    assert.equal(anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: 'a.jsonl', TIERKIT_AUDIT_ANCHOR_MINUTES: '1' }, dir)?.minutes, 1);
    for (const bad of ['0', '1441', '5m', '-1'])
      assert.throws(
        () => anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: 'a.jsonl', TIERKIT_AUDIT_ANCHOR_MINUTES: bad }, dir),
        /TIERKIT_AUDIT_ANCHOR_MINUTES must be a whole number of minutes from 1 to 1440/,
        bad,
      );
    assert.throws(() => anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_MINUTES: '5' }, dir), /TIERKIT_AUDIT_ANCHOR_FILE is not/);
    assert.throws(() => anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: 'nowhere/a.jsonl' }, dir), /the folder of .* does not exist/);
  });

  it('open the file to append at start, creating it: a folder or a device named instead stops the start with one line', () => {
    const created = join(dir, 'at-start.jsonl');
    anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: created }, dir);
    assert.equal(readFileSync(created, 'utf8'), '', 'created, empty');
    mkdirSync(join(dir, 'folder'));
    assert.throws(
      () => anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: `${join(dir, 'folder')}/` }, dir),
      (e: Error) => /^TIERKIT_AUDIT_ANCHOR_FILE: ".*folder" is a folder: name a file in it$/.test(e.message) && !e.message.includes('\n'),
    );
    if (existsSync('/dev/null'))
      assert.throws(() => anchorSettingsFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: '/dev/null' }, dir), /"\/dev\/null" is not a regular file/);
  });
});
