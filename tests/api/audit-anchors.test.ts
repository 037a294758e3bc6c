import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { provisionTenant } from '@tierkit/api';
import { connect, migrateToLatest, type Db } from '@tierkit/db';
import { startAuditAnchoring } from '@tierkit/ops';
import { run } from '../../packages/cli/src/run.js';
import { NOW } from '../support/api-fixture.js';
import { appendRecords, cutConsistently, rewriteConsistently } from '../support/audit-records.js';
import { dialectUrls } from '../support/dialect-urls.js';
import { testPack } from '../support/test-pack.js';

/*
 * Anchors of the audit heads kept outside the database (packages/api/README.md, "Audit"), on each
 * dialect: `tierkit audit anchor` appends them, `tierkit audit verify --anchors` catches what the chain
 * alone cannot — a chain rewritten and re-hashed consistently, or cut with its head moved back — and
 * the server's anchoring appends a line per chain whose head moved, none otherwise.
 */

const dir = mkdtempSync(join(tmpdir(), 'tierkit-audit-anchors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const DIALECTS = dialectUrls('audit-anchors');

const TENANTS = ['intact', 'rewritten', 'cut', 'gone'];

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    argv,
    (l) => out.push(l.replace(/sha256:[0-9a-f]{64}/g, 'HASH')),
    // Every audit action that opens the database names it first on stderr (packages/cli/src/ops-safety.test.ts checks it): not what these tests read.
    (l) => l.startsWith('database: ') || err.push(l),
  );
  return { code, out, err };
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

for (const [dialect, urlOf] of DIALECTS) {
  describe(`audit anchors [${dialect}]`, () => {
    let url = '';
    let db: Db;
    const anchors = join(dir, `${dialect}-anchors.jsonl`);

    it('tierkit audit anchor appends the heads that moved, synced, and nothing when none did; an untouched chain verifies with its anchors', async () => {
      url = await urlOf('anchors');
      db = connect({ url });
      await migrateToLatest(db.db);
      for (const id of TENANTS) await provisionTenant(db.db, { id, name: id, pack: testPack(), now: NOW });
      for (const id of TENANTS) await appendRecords(db.db, id, 4);

      const first = await cli('audit', 'anchor', '--out', anchors, '--database', url);
      assert.equal(first.code, 0, first.err.join('\n'));
      assert.deepEqual(
        first.out.map((l) => l.replace(/ at \S+Z$/, '')),
        TENANTS.toSorted().map((t) => `${t}: anchored head 4 HASH`),
      );
      for (const id of TENANTS) await appendRecords(db.db, id, 2);
      const one = await cli('audit', 'anchor', '--tenant', 'intact', '--out', anchors, '--database', url);
      assert.equal(one.code, 0);
      assert.deepEqual(
        one.out.map((l) => l.replace(/ at \S+Z$/, '')),
        ['intact: anchored head 6 HASH'],
        '--tenant anchors that chain only',
      );
      assert.equal((await cli('audit', 'anchor', '--out', anchors, '--database', url)).out.length, 3, 'the other three moved');
      assert.equal(lines(anchors).length, 8);
      const again = await cli('audit', 'anchor', '--out', anchors, '--database', url);
      assert.deepEqual(again, { code: 0, out: [`audit anchor: no head moved since its last anchor in ${anchors}`], err: [] });
      assert.equal(lines(anchors).length, 8, 'nothing appended when no head moved');
      const line = JSON.parse(lines(anchors)[4] ?? '');
      assert.deepEqual(Object.keys(line), ['tenant', 'seq', 'hash', 'at']);
      assert.equal(line.tenant, 'intact');
      assert.equal(line.seq, 6);

      const verified = await cli('audit', 'verify', '--anchors', anchors, '--database', url);
      assert.deepEqual(verified, {
        code: 0,
        out: TENANTS.toSorted().map((t) => `${t}: ok, 6 records, head 6 HASH, 2 anchors match`),
        err: [],
      });
    });

    it('a chain rewritten and re-hashed whole, or cut with its head moved back, passes the plain verify but not the anchors; a chain deleted whole is named', async () => {
      await rewriteConsistently(db, 'rewritten', 3);
      await cutConsistently(db, 'cut', 4);
      await db.db.deleteFrom('audit_records').where('chain', '=', 'gone').execute();
      await db.db.deleteFrom('audit_heads').where('chain', '=', 'gone').execute();
      const plain = await cli('audit', 'verify', '--database', url);
      assert.deepEqual(plain.code, 0, 'the attack the anchors exist for: the chain alone is consistent');
      assert.deepEqual(plain.out, [
        'cut: ok, 4 records, head 4 HASH',
        'intact: ok, 6 records, head 6 HASH',
        'rewritten: ok, 6 records, head 6 HASH',
      ]);
      assert.match(
        plain.err.join('\n'),
        /no anchors were checked \(--anchors FILE\): a chain rewritten whole with its head would still read ok/,
      );

      const rewritten = await cli('audit', 'verify', '--tenant', 'rewritten', '--anchors', anchors, '--database', url);
      assert.equal(rewritten.code, 1);
      assert.equal(rewritten.out[0], 'rewritten: NOT OK, 6 records, head 6 HASH, 2 anchors');
      assert.match(
        rewritten.out[1] ?? '',
        /^ {2}at 4: anchor-mismatch: record 4 has hash HASH but the anchor of \S+Z \(line 4\) says HASH: the chain was rewritten/,
      );
      assert.match(rewritten.out[2] ?? '', /^ {2}at 6: anchor-mismatch: .*\(line 8\)/);
      assert.deepEqual(rewritten.err, ['audit verify: tampered with: rewritten (2 problems, first at 4: anchor-mismatch)']);

      // Anchors past the end and nothing else is what a restore leaves (docs/operations.md, restore): its own exit
      // code, 4, not tampering's 1 and not ok's 0 — the operator, who knows whether a restore happened, decides.
      const cut = await cli('audit', 'verify', '--tenant', 'cut', '--anchors', anchors, '--database', url);
      assert.equal(cut.code, 4);
      assert.match(
        cut.err.at(-1) ?? '',
        /^audit verify: anchors past the end: cut \(1 problem, first at 6: anchor-truncated\); every chain is intact .*After a restore these are the records written since the dump .*with no restore, a chain was cut \(exit 4\)$/,
      );
      const cutJson = await cli('audit', 'verify', '--tenant', 'cut', '--anchors', anchors, '--json', '--database', url);
      assert.deepEqual(
        [cutJson.code, JSON.parse(cutJson.out.join('\n')).ok, JSON.parse(cutJson.out.join('\n')).anchorsPastEndOnly],
        [4, false, true],
      );
      assert.equal(cut.out[0], 'cut: NOT OK, 4 records, head 4 HASH, 2 anchors');
      assert.match(
        cut.out[1] ?? '',
        /^ {2}at 6: anchor-truncated: the chain ends at record 4 but the anchor of \S+Z \(line \d\) names record 6: records 5…6 were cut$/,
      );

      // A cut beside a rewrite: the rewrite is tampering, so the whole check is exit 1.
      const all = await cli('audit', 'verify', '--anchors', anchors, '--database', url);
      assert.equal(all.code, 1);
      assert.ok(all.out.includes('gone: NOT OK, 0 records, no head, 2 anchors'), all.out.join('\n'));
      assert.ok(all.out.includes('intact: ok, 6 records, head 6 HASH, 2 anchors match'));
      assert.equal(
        all.err.at(-1),
        'audit verify: tampered with: cut (1 problem, first at 6: anchor-truncated); gone (1 problem, first at 6: anchor-truncated); rewritten (2 problems, first at 4: anchor-mismatch)',
      );

      const json = await cli('audit', 'verify', '--anchors', anchors, '--json', '--database', url);
      assert.equal(json.code, 1);
      const doc = JSON.parse(json.out.join('\n'));
      assert.equal(doc.ok, false);
      assert.equal(doc.anchorsPastEndOnly, false, 'a rewrite is among the problems');
      const rewrittenDoc = doc.chains.find((c: { chain: string }) => c.chain === 'rewritten');
      assert.equal(rewrittenDoc.chainOk, true, 'the chain itself verifies');
      assert.equal(rewrittenDoc.ok, false, "a chain's ok includes its anchors");
      assert.deepEqual(
        doc.chains.map((c: { chain: string; ok: boolean }) => [c.chain, c.ok]),
        [
          ['cut', false],
          ['gone', false],
          ['intact', true],
          ['rewritten', false],
        ],
      );
      assert.deepEqual(
        rewrittenDoc.anchors.problems.map((p: { seq: number; kind: string; line: number }) => [p.seq, p.kind, p.line]),
        [
          [4, 'anchor-mismatch', 4],
          [6, 'anchor-mismatch', 8],
        ],
      );
      assert.deepEqual(doc.anchorsFile, { path: anchors, anchors: 8, malformed: [], accepted: [], unfinished: null, unanchored: [] });
    });

    it('a malformed line of the anchors file is named by its number and why, and fails the chain it names or, naming none, every chain', async () => {
      const bad = join(dir, `${dialect}-bad.jsonl`);
      copyFileSync(anchors, bad);
      // Another tenant's bad line fails that tenant, not ours: as GET /v1/audit/verify says (the same rule).
      appendFileSync(bad, '{"tenant":"rewritten","seq":"six"}\n');
      const theirs = await cli('audit', 'verify', '--tenant', 'intact', '--anchors', bad, '--database', url);
      assert.deepEqual([theirs.code, theirs.out[0]], [0, 'intact: ok, 6 records, head 6 HASH, 2 anchors match']);
      assert.equal(
        theirs.out[1],
        `anchors file ${bad} line 9: "seq" must be a whole number from 1 to 2147483647 (counts against rewritten)`,
      );

      appendFileSync(bad, '{"tenant":"intact","seq":"six","hash":"x","at":"now"}\nnot json at all\n\n{"tenant":"intact","seq":6,"ha');
      const { code, out, err } = await cli('audit', 'verify', '--tenant', 'intact', '--anchors', bad, '--database', url);
      assert.equal(code, 1);
      assert.deepEqual(out, [
        'intact: NOT OK, 6 records, head 6 HASH, 2 anchors match',
        `anchors file ${bad} line 9: "seq" must be a whole number from 1 to 2147483647 (counts against rewritten)`,
        `anchors file ${bad} line 10: "seq" must be a whole number from 1 to 2147483647 (counts against intact)`,
        `anchors file ${bad} line 11: not JSON (a line cut short, or edited) (names no tenant: counts against every chain)`,
      ]);
      assert.deepEqual(err, [
        `audit verify: note: ${bad} line 13 has no newline yet (still being written, or cut by a crash): not read`,
        'audit verify: the anchors file has lines that are not anchors, counting against intact (2)',
      ]);
      const json = JSON.parse(
        (await cli('audit', 'verify', '--tenant', 'intact', '--anchors', bad, '--json', '--database', url)).out.join(''),
      );
      assert.deepEqual(
        [json.ok, json.chains[0].ok, json.chains[0].chainOk, json.chains[0].anchors.malformedLines],
        [false, false, true, 2],
      );
      assert.deepEqual(
        json.anchorsFile.malformed.map((m: { line: number; chain?: string }) => [m.line, m.chain]),
        [
          [9, 'rewritten'],
          [10, 'intact'],
          [11, undefined],
        ],
      );
      assert.equal(json.anchorsFile.unfinished, 13);

      // Values the database would choke on (a seq past PostgreSQL's integer, a NUL in a tenant) are lines
      // named like any other, not one raw database error ending the verification.
      const odd = join(dir, `${dialect}-odd.jsonl`);
      copyFileSync(anchors, odd);
      appendFileSync(
        odd,
        `${JSON.stringify({ tenant: 'intact', seq: 3e9, hash: `sha256:${'a'.repeat(64)}`, at: '2026-12-04T10:00:00Z' })}\n` +
          `${JSON.stringify({ tenant: 'int\u0000act', seq: 1, hash: `sha256:${'a'.repeat(64)}`, at: '2026-12-04T10:00:00Z' })}\n`,
      );
      const oddRun = await cli('audit', 'verify', '--anchors', odd, '--database', url);
      assert.equal(oddRun.code, 1);
      assert.ok(oddRun.out.includes('intact: NOT OK, 6 records, head 6 HASH, 2 anchors match'), oddRun.out.join('\n'));
      assert.deepEqual(oddRun.out.slice(-2), [
        `anchors file ${odd} line 9: "seq" must be a whole number from 1 to 2147483647 (counts against intact)`,
        `anchors file ${odd} line 10: "tenant" must be a tenant id or "*" (names no tenant: counts against every chain)`,
      ]);
      assert.match(
        oddRun.err.at(-1) ?? '',
        /^audit verify: tampered with: .*; the anchors file has lines that are not anchors, counting against .*intact \(2\)/,
      );

      // The next anchor lands on a line of its own, not glued to the cut one, which is now a bad line for good.
      await appendRecords(db.db, 'intact', 1);
      assert.equal((await cli('audit', 'anchor', '--tenant', 'intact', '--out', bad, '--database', url)).code, 0);
      const after = await cli('audit', 'verify', '--tenant', 'intact', '--anchors', bad, '--database', url);
      assert.equal(after.out[0], 'intact: NOT OK, 7 records, head 7 HASH, 3 anchors match');
      assert.equal(after.out.at(-1), `anchors file ${bad} line 13: not JSON (a line cut short, or edited) (counts against intact)`);

      // On storage where they can never be removed, the operator accepts the lines they have looked at.
      process.env.TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES = '10, 11,13';
      try {
        const accepted = await cli('audit', 'verify', '--tenant', 'intact', '--anchors', bad, '--database', url);
        assert.equal(accepted.code, 0, accepted.err.join('\n'));
        assert.equal(accepted.out[0], 'intact: ok, 7 records, head 7 HASH, 3 anchors match');
        assert.ok(
          accepted.out.includes(
            `anchors file ${bad} line 11: not JSON (a line cut short, or edited) (accepted: TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES)`,
          ),
          accepted.out.join('\n'),
        );
        process.env.TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES = 'eleven';
        const wrong = await cli('audit', 'verify', '--tenant', 'intact', '--anchors', bad, '--database', url);
        assert.equal(wrong.code, 2);
        assert.match(wrong.err.join('\n'), /TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES must be line numbers/);
      } finally {
        delete process.env.TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES;
      }
    });

    it('a chain with records but no anchor in the file says "no anchors" and warns, exit 0; --json names it', async () => {
      await provisionTenant(db.db, { id: 'newcomer', name: 'newcomer', pack: testPack(), now: NOW });
      await appendRecords(db.db, 'newcomer', 2);
      const { code, out, err } = await cli('audit', 'verify', '--tenant', 'newcomer', '--anchors', anchors, '--database', url);
      assert.deepEqual(
        { code, out, err },
        {
          code: 0,
          out: ['newcomer: ok, 2 records, head 2 HASH, no anchors'],
          err: [`audit verify: warning: ${anchors} has no anchor of newcomer: its records were checked by the chain alone`],
        },
      );
      const doc = JSON.parse(
        (await cli('audit', 'verify', '--tenant', 'newcomer', '--anchors', anchors, '--json', '--database', url)).out.join(''),
      );
      assert.equal(doc.ok, true);
      assert.deepEqual(doc.anchorsFile.unanchored, ['newcomer']);
      assert.deepEqual([doc.chains[0].ok, doc.chains[0].chainOk, doc.chains[0].anchors.anchors], [true, true, 0]);

      const json = await cli('audit', 'anchor', '--tenant', 'newcomer', '--out', anchors, '--json', '--database', url);
      assert.equal(json.code, 0, json.err.join('\n'));
      const written = JSON.parse(json.out.join(''));
      assert.equal(written.file, anchors);
      assert.deepEqual(
        written.written.map((w: { tenant: string; seq: number; hash: string; at: string }) => [
          w.tenant,
          w.seq,
          w.hash,
          Number.isNaN(Date.parse(w.at)),
        ]),
        [['newcomer', 2, 'HASH', false]],
        'what it appended',
      );
      assert.deepEqual(
        [JSON.parse(lines(anchors).at(-1) ?? '').tenant, JSON.parse(lines(anchors).at(-1) ?? '').seq],
        ['newcomer', 2],
        'as the last line of the file',
      );
      assert.deepEqual(
        JSON.parse((await cli('audit', 'anchor', '--tenant', 'newcomer', '--out', anchors, '--json', '--database', url)).out.join('')),
        { file: anchors, written: [] },
        'nothing moved: nothing written',
      );
      const anchored = await cli('audit', 'verify', '--tenant', 'newcomer', '--anchors', anchors, '--database', url);
      assert.deepEqual([anchored.out, anchored.err], [['newcomer: ok, 2 records, head 2 HASH, 1 anchor match'], []]);
    });

    it('usage and failures: anchor without --out is exit 2, an unknown tenant or an unreadable anchors file exit 1 saying so', async () => {
      const noOut = await cli('audit', 'anchor', '--database', url);
      assert.equal(noOut.code, 2);
      assert.match(noOut.err[0] ?? '', /^audit anchor: --out FILE is required/);
      const typo = await cli('audit', 'anchor', '--tenant', 'intcat', '--out', anchors, '--database', url);
      assert.deepEqual([typo.code, typo.err], [1, ['audit anchor: tenant "intcat" does not exist']]);
      const missing = await cli('audit', 'verify', '--anchors', join(dir, 'none.jsonl'), '--database', url);
      assert.equal(missing.code, 1);
      assert.deepEqual(missing.out, []);
      assert.match(missing.err.at(-1) ?? '', /^audit verify: cannot read the anchors file .*none\.jsonl: ENOENT/);
      const noFolder = await cli('audit', 'anchor', '--out', join(dir, 'no-such-folder', 'a.jsonl'), '--database', url);
      assert.equal(noFolder.code, 1);
      assert.match(noFolder.err.at(-1) ?? '', /^audit anchor: cannot append to .*a\.jsonl: ENOENT/);
    });

    it("the server's anchoring appends one line per chain whose head moved at each tick, none otherwise", async () => {
      const file = join(dir, `${dialect}-server.jsonl`);
      let tick: () => void = () => assert.fail('not scheduled');
      let every = 0;
      let now = new Date('2026-12-04T10:00:00Z');
      const log: string[] = [];
      const anchoring = startAuditAnchoring({
        db: db.db,
        file,
        intervalMs: 15 * 60_000,
        now: () => now,
        log: (l) => log.push(l),
        every: (t, ms) => {
          tick = t;
          every = ms;
          return () => undefined;
        },
      });
      assert.equal(every, 15 * 60_000);
      await anchoring.pass();
      const chains = (l: string) => (JSON.parse(l) as { tenant: string }).tenant;
      assert.deepEqual(lines(file).map(chains), ['cut', 'intact', 'newcomer', 'rewritten'], 'a line per chain with records, at start');

      now = new Date('2026-12-04T10:15:00Z');
      tick();
      await anchoring.idle();
      assert.equal(lines(file).length, 4, 'no head moved: nothing appended');

      await appendRecords(db.db, 'cut', 2);
      now = new Date('2026-12-04T10:30:00Z');
      tick();
      // Waits for the pass the tick started without starting one: a tick that did nothing fails below.
      await anchoring.idle();
      const head = await db.db.selectFrom('audit_heads').select(['seq', 'hash']).where('chain', '=', 'cut').executeTakeFirstOrThrow();
      assert.deepEqual(
        lines(file)
          .slice(4)
          .map((l) => JSON.parse(l)),
        [{ tenant: 'cut', seq: 6, hash: head.hash, at: '2026-12-04T10:30:00.000Z' }],
        'the moved head, at the time of the tick, in UTC',
      );
      assert.equal(log.length, 2, 'a log line per pass that wrote');
      await anchoring.stop();

      // A new process reads the file it finds: nothing moved, nothing written.
      const next = startAuditAnchoring({ db: db.db, file, intervalMs: 60_000, log: () => undefined, every: () => () => undefined });
      await next.pass();
      await next.stop();
      assert.equal(lines(file).length, 5);
      await db.close();
    });
  });
}
