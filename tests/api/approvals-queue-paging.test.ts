import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { insertLevelApproval, isPostgres } from '@tierkit/db';
import { sql } from 'kysely';
import { forEachDialect } from '../support/api-fixture.js';
import { fourEyesTenant, ok, problem, START, type FourEyesTenant } from '../support/four-eyes-fixture.js';

/*
 * The approvals queue read a page at a time: each source reads its window in SQL and the page is
 * the merge of their heads. Whatever the filters and the page size, the pages must concatenate to
 * the queue's documented order — request time, then kind, then id, each compared as JS compares
 * strings (UTF-16 code units) — over ids that only a byte-wise comparison orders that way: mixed
 * case, digits, `-`/`_`, CJK, and many requests at the same instant.
 */

interface Item {
  kind: 'override' | 'level' | 'policy';
  id: string;
  subject: string | null;
  scheme: string;
  requestedAt: string;
  ageSeconds: number;
}
interface Page {
  items: Item[];
  nextCursor: string | null;
}

/** External ids whose byte order differs from any locale's order: case, digits, punctuation, CJK. */
const SUBJECTS = [
  ...['a1', 'A1', 'a-1', 'a_1', 'B2', 'b10', 'b9', 'Zz', 'z-Z', 'z_z', '客户甲', '客户乙', '丙-1', 'Ω7', '0x', '9Y'],
  ...Array.from({ length: 12 }, (_, i) => [`k${i + 1}`, `K${i + 1}`]).flat(),
];
const SCHEMES = ['aml-test', 'retail-tier', 'risk-tolerance'] as const;
/** Few instants, so most items tie on `requestedAt` with items of other kinds and subjects. */
const INSTANTS = [
  new Date(START.getTime() - 3 * 3600_000),
  new Date(START.getTime() - 2 * 3600_000),
  new Date(START.getTime() - 3600_000),
  new Date(START.getTime() - 59_000),
].map((d) => d.toISOString());

/** The documented order of the queue, written out here rather than taken from the code under test. */
function queueOrder(a: Item, b: Item): number {
  for (const k of ['requestedAt', 'kind', 'id'] as const) {
    const x = a[k];
    const y = b[k];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

const cursorOf = (position: { at: string; kind: string; id: string }) =>
  Buffer.from(JSON.stringify({ k: 'approvals', ...position }), 'utf8').toString('base64url');

forEachDialect('approvals queue: pages read from SQL, in the in-memory order', (f) => {
  let t: FourEyesTenant;
  /** Every item the queue must show, as the test stored it. */
  const expected: Item[] = [];

  before(async () => {
    t = await fourEyesTenant(f, 'queue-paging', START);
    const db = f.db.db;
    if (isPostgres(db)) {
      // A bank's database may well be created with a linguistic collation (where 'a1' < 'A1' < 'a-1'
      // is not byte order): give the columns the queue sorts on one, so only an explicit byte-wise
      // comparison in SQL passes. The test machine's cluster is initialised with the C locale.
      const icu = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_collation WHERE collname = 'und-x-icu'`.execute(db);
      assert.equal(icu.rows[0]?.n, 1, 'this PostgreSQL has ICU collations');
      for (const [table, column] of [
        ['subjects', 'external_id'],
        ['overrides', 'id'],
        ['overrides', 'created_at'],
        ['level_approvals', 'scheme'],
        ['level_approvals', 'requested_at'],
      ] as const) {
        await sql`ALTER TABLE ${sql.table(table)} ALTER COLUMN ${sql.ref(column)} TYPE text COLLATE "und-x-icu"`.execute(db);
      }
    }
    const subjectRow = (externalId: string, closedAt: string | null) => ({
      id: `sub_${Buffer.from(externalId).toString('hex')}`,
      tenant_id: t.tenantId,
      external_id: externalId,
      kind: 'customer',
      display_name: externalId,
      attributes: '{}',
      created_at: INSTANTS[0] ?? '',
      updated_at: INSTANTS[0] ?? '',
      closed_at: closedAt,
      closed_reason: closedAt === null ? null : 'left',
      left_at: null,
    });
    await db
      .insertInto('subjects')
      .values([...SUBJECTS.map((s) => subjectRow(s, null)), subjectRow('closed-1', INSTANTS[0] ?? null), subjectRow('quiet', null)])
      .execute();
    let n = 0;
    const at = () => INSTANTS[n++ % INSTANTS.length] ?? '';
    for (const subject of [...SUBJECTS, 'closed-1']) {
      const subjectId = `sub_${Buffer.from(subject).toString('hex')}`;
      // Sign-offs decided before (rejected, superseded, withdrawn) wait for nobody: never in the queue.
      for (const [i, status] of ['rejected', 'superseded', 'withdrawn'].entries()) {
        const id = `lvl_${subjectId}_done${i}`;
        await insertLevelApproval(db, t.tenantId, {
          id,
          subjectId,
          scheme: SCHEMES[0] ?? 'aml-test',
          level: 'low',
          fromLevel: null,
          period: '2025-09',
          policyVersion: 1,
          requestedBy: 'system',
          requestedAt: at(),
          contentHash: 'sha256:x',
        });
        await db
          .updateTable('level_approvals')
          .set({ status, decided_by: 'checker', decided_at: INSTANTS[0] ?? '' })
          .where('id', '=', id)
          .execute();
      }
      for (const scheme of SCHEMES) {
        const requestedAt = at();
        await insertLevelApproval(db, t.tenantId, {
          id: `lvl_${subjectId}_${scheme}`,
          subjectId,
          scheme,
          level: 'high',
          fromLevel: null,
          period: '2025-10',
          policyVersion: 1,
          requestedBy: 'system',
          requestedAt,
          contentHash: 'sha256:x',
        });
        if (subject !== 'closed-1')
          expected.push({ kind: 'level', id: `${subject}:${scheme}`, subject, scheme, requestedAt, ageSeconds: 0 });
      }
      // Override ids that differ only in case, digit count or punctuation, several per subject.
      for (const [i, suffix] of ['A', 'a', '10', '9', '-x', '_x', '甲'].entries()) {
        const scheme = SCHEMES[i % 2] ?? 'aml-test';
        const requestedAt = at();
        const id = `ovr_${subject}${suffix}`;
        // Decided and withdrawn requests wait for nobody: one of each per subject, never in the queue.
        const status = i === 4 ? 'approved' : i === 5 ? 'withdrawn' : 'pending';
        await db
          .insertInto('overrides')
          .values({
            id,
            tenant_id: t.tenantId,
            subject_id: subjectId,
            scheme,
            level: 'gold',
            mode: 'fixed',
            reason: 'retention',
            expires_at: null,
            requested_by: 'officer',
            approved_by: null,
            created_at: requestedAt,
            revoked_at: null,
            status,
            content_hash: '',
            updated_at: requestedAt,
            decided_by: null,
            decided_at: null,
            decision_note: null,
            revoked_by: null,
            revoke_note: null,
            expiry_settled_at: null,
          })
          .execute();
        if (subject !== 'closed-1' && status === 'pending') {
          expected.push({ kind: 'override', id, subject, scheme, requestedAt, ageSeconds: 0 });
        }
      }
    }
    // A sign-off on a scheme the policy no longer has still waits, and names the scheme as stored.
    await insertLevelApproval(db, t.tenantId, {
      id: 'lvl_retired',
      subjectId: `sub_${Buffer.from('quiet').toString('hex')}`,
      scheme: 'retired-x',
      level: 'old',
      fromLevel: null,
      period: '2025-10',
      policyVersion: 1,
      requestedBy: 'system',
      requestedAt: INSTANTS[2] ?? '',
      contentHash: 'sha256:x',
    });
    expected.push({
      kind: 'level',
      id: 'quiet:retired-x',
      subject: 'quiet',
      scheme: 'retired-x',
      requestedAt: INSTANTS[2] ?? '',
      ageSeconds: 0,
    });
    // A policy version submitted at an instant the other kinds share.
    t.setClock(new Date(INSTANTS[1] ?? ''));
    const draft = await ok<{ version: number }>(await t.req('officer', 'POST', '/v1/policies/aml-test/drafts', {}), 201);
    await ok(await t.req('officer2', 'POST', `/v1/policies/aml-test/versions/${draft.version}/submit`, {}));
    expected.push({
      kind: 'policy',
      id: `aml-test@${draft.version}`,
      subject: null,
      scheme: 'aml-test',
      requestedAt: INSTANTS[1] ?? '',
      ageSeconds: 0,
    });
    t.setClock(START);
    expected.sort(queueOrder);
  });

  // Paged as an approver: a policy version is in the queue of who may decide it (and its makers) only.
  const all = async (query: string, limit: number) => {
    const seen: Item[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 1000; pages++) {
      const sep = query === '' ? '?' : `?${query}&`;
      const page: Page = await ok<Page>(
        await t.req('approver', 'GET', `/v1/approvals${sep}limit=${limit}${cursor === null ? '' : `&cursor=${cursor}`}`),
      );
      assert.ok(page.items.length <= limit);
      seen.push(...page.items);
      if (page.nextCursor === null) return seen;
      assert.equal(page.items.length, limit, 'only the last page is short');
      cursor = page.nextCursor;
    }
    assert.fail('the queue never ended');
  };
  const shape = (items: readonly Item[]) => items.map((i) => `${i.requestedAt} ${i.kind} ${i.id} ${i.scheme} ${i.subject}`);

  it('holds a few hundred items, many at the same instant', () => {
    assert.ok(expected.length > 300, `${expected.length} items`);
    assert.ok(expected.filter((i) => i.requestedAt === INSTANTS[1]).length > 50);
  });

  it('pages through every filter combination and page size to exactly the documented order', async () => {
    const kinds = [undefined, 'level', 'override', 'policy'] as const;
    const schemes = [undefined, 'aml-test', 'retail-tier'] as const;
    const subjects = [undefined, 'a1', '客户甲'] as const;
    const ages = [undefined, 0, 3600, 7201] as const;
    const limits = [1, 7, 50, 100];
    let combo = 0;
    for (const kind of kinds) {
      for (const scheme of schemes) {
        for (const subject of subjects) {
          for (const minAge of ages) {
            // Page size 1 only where the answer is short: every boundary is still crossed elsewhere.
            const wide = subject === undefined && kind !== 'policy';
            const size = limits[combo++ % limits.length] ?? 7;
            const limit = size === 1 && wide ? 3 : size;
            const params = new URLSearchParams();
            if (kind !== undefined) params.set('kind', kind);
            if (scheme !== undefined) params.set('scheme', scheme);
            if (subject !== undefined) params.set('subject', subject);
            if (minAge !== undefined) params.set('minAgeSeconds', String(minAge));
            const want = expected.filter(
              (i) =>
                (kind === undefined || i.kind === kind) &&
                (scheme === undefined || i.scheme === scheme) &&
                (subject === undefined || i.subject === subject) &&
                (minAge === undefined || Math.floor((START.getTime() - Date.parse(i.requestedAt)) / 1000) >= minAge),
            );
            const got = await all(params.toString(), limit);
            assert.deepEqual(shape(got), shape(want), `${params.toString()} limit=${limit}`);
          }
        }
      }
    }
  });

  it('ages are whole seconds waited', async () => {
    assert.ok(
      (await all('minAgeSeconds=59', 100)).some((i) => i.ageSeconds === 59),
      'one waiting exactly 59 s is in',
    );
    assert.deepEqual(
      (await all('minAgeSeconds=60', 100)).filter((i) => i.ageSeconds < 60),
      [],
    );
  });

  it('a cursor written before this release resumes where it says, at any kind of a shared instant', async () => {
    const at = INSTANTS[1] ?? '';
    for (const position of [
      { at, kind: 'level', id: 'b10:retail-tier' },
      { at, kind: 'level', id: 'B2:aml' },
      { at, kind: 'override', id: 'ovr_a1_x' },
      { at, kind: 'override', id: 'ovr_客户甲' },
      // An item that no longer waits, and kinds before and after all others at that instant.
      { at, kind: 'level', id: 'gone:aml-test' },
      { at, kind: 'audit', id: 'x' },
      { at, kind: 'zzz', id: '' },
    ]) {
      const page = await ok<Page>(await t.req('approver', 'GET', `/v1/approvals?limit=20&cursor=${cursorOf(position)}`));
      const want = expected
        .filter((i) => queueOrder(i, { ...i, requestedAt: position.at, kind: position.kind as Item['kind'], id: position.id }) > 0)
        .slice(0, 20);
      assert.deepEqual(shape(page.items), shape(want), JSON.stringify(position));
    }
  });

  it('still refuses a mistyped filter: an unknown scheme is a 400, an unknown subject a 404', async () => {
    await problem(await t.req('viewer', 'GET', '/v1/approvals?scheme=aml_test'), 400, 'validation');
    await problem(await t.req('viewer', 'GET', '/v1/approvals?subject=A1x'), 404, 'subject-not-found');
    assert.deepEqual((await ok<Page>(await t.req('viewer', 'GET', '/v1/approvals?subject=0x&kind=policy'))).items, []);
    // A closed customer is a subject still, with nothing waiting.
    assert.deepEqual((await ok<Page>(await t.req('viewer', 'GET', '/v1/approvals?subject=closed-1'))).items, []);
    // Filters that match nothing on this page but something in the queue are no error.
    const past = cursorOf({ at: '9999', kind: 'policy', id: '' });
    assert.deepEqual((await ok<Page>(await t.req('viewer', 'GET', `/v1/approvals?subject=a1&cursor=${past}`))).items, []);
    assert.deepEqual((await ok<Page>(await t.req('viewer', 'GET', `/v1/approvals?scheme=retired-x&cursor=${past}`))).items, []);
    assert.deepEqual(
      (await ok<Page>(await t.req('viewer', 'GET', '/v1/approvals?scheme=retired-x'))).items.map((i) => i.id),
      ['quiet:retired-x'],
    );
  });
});
