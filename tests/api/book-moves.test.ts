// A compliance officer after a complaint: whose book was this customer in when it happened? Every
// path that moves customers between books — one by one, in bulk, by a managers import — keeps the
// move with who made it, in the move's own transaction; the moves are read per customer, newest first,
// by staff who may read the customer, and by nobody else.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { mintStaffToken } from '@tierkit/api';
import { findSubjectByExternalId } from '@tierkit/db';
import { sql } from 'kysely';
import { authHeader, client, forEachDialect, NOW } from '../support/api-fixture.js';

interface Moves {
  subject: string;
  moves: { from: string | null; to: string | null; at: string; actor: string; recorded: boolean }[];
}

forEachDialect('moves between books', (f) => {
  const admin = client(f);
  const tokens: Record<string, string> = {};
  const as = (who: string) => client(f, () => tokens[who]);
  const session = async () => (await (await admin.get('/v1/session')).json()) as { actor: string };
  const moves = async (id: string, api = admin) => {
    const res = await api.get(`/v1/subjects/${id}/manager/moves`);
    assert.equal(res.status, 200, await res.clone().text());
    return ((await res.json()) as Moves).moves.map((m) => [m.from, m.to, m.actor, m.recorded]);
  };

  it('keeps each move by PUT, bulk and import, with who made it, newest first; a no-op keeps nothing', async () => {
    for (const id of ['RM1', 'RM2'])
      assert.equal((await admin.put(`/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['M1', 'M2']) await admin.customer(id);
    for (const id of ['RM1', 'RM2']) tokens[id] = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: id, now: NOW })).token;
    assert.deepEqual(await moves('M1'), [], 'never in a book');

    assert.equal((await admin.put('/v1/subjects/M1/manager', { manager: 'RM1' })).status, 200);
    assert.equal((await admin.put('/v1/subjects/M1/manager', { manager: 'RM1' })).status, 200, 'the same book again');
    const bulk = await admin.post('/v1/subject-managers', {
      assignments: [
        { subject: 'M1', manager: 'RM2' },
        { subject: 'M2', manager: 'RM1' },
      ],
    });
    assert.equal(bulk.status, 200, await bulk.clone().text());
    assert.equal((await admin.post('/v1/subject-managers', { assignments: [{ subject: 'M2', manager: null }] })).status, 200);
    const imported = await f.app.request('/v1/imports?kind=managers', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: 'subject,manager\r\nM1,RM1\r\n',
    });
    assert.equal(imported.status, 201, await imported.clone().text());

    const actor = (await (await admin.get('/v1/session')).json()) as { actor: string };
    const who = actor.actor;
    assert.ok(who, JSON.stringify(actor));
    assert.deepEqual(await moves('M1'), [
      ['RM2', 'RM1', who, true],
      ['RM1', 'RM2', who, true],
      [null, 'RM1', who, true],
    ]);
    // Taken out of every book is a move too.
    assert.deepEqual(await moves('M2'), [
      ['RM1', null, who, true],
      [null, 'RM1', who, true],
    ]);
    const limited = (await (await admin.get('/v1/subjects/M1/manager/moves?limit=1')).json()) as Moves;
    assert.equal(limited.moves.length, 1);
    assert.equal((await admin.get('/v1/subjects/M1/manager/moves?limit=0')).status, 400);
  });

  it('a bulk move naming customers already in that book writes nothing for them: no row version, no move, no record', async () => {
    for (const id of ['RN1', 'RN2'])
      assert.equal((await admin.put(`/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['N1', 'N2']) await admin.customer(id);
    const bulk = (assignments: { subject: string; manager: string | null }[]) => admin.post('/v1/subject-managers', { assignments });
    assert.equal((await bulk([{ subject: 'N1', manager: 'RN1' }])).status, 200);
    const n1 = await findSubjectByExternalId(f.db.db, 'bank-a', 'N1');
    assert.ok(n1);
    // The book row as stored: on PostgreSQL also the transaction that wrote its current version (an
    // UPDATE that changes nothing still writes a new one).
    const row = async () => {
      const version = sql<string>`${sql.raw(f.db.dialect === 'postgres' ? 'xmin::text' : "''")}`.as('version');
      return f.db.db
        .selectFrom('subject_managers')
        .select(['staff_id', 'assigned_at', 'assigned_by', version])
        .where('tenant_id', '=', 'bank-a')
        .where('subject_id', '=', n1.id)
        .executeTakeFirstOrThrow();
    };
    const subjectVersion = async () => (await findSubjectByExternalId(f.db.db, 'bank-a', 'N1'))?.version;
    const changeRecords = async () =>
      (
        await f.db.db
          .selectFrom('audit_records')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('chain', '=', 'bank-a')
          .where('phase', '=', 'change')
          .executeTakeFirstOrThrow()
      ).n;
    const before = { row: await row(), version: await subjectVersion(), records: Number(await changeRecords()) };

    // N1 is in RN1's book already, alone and alongside a real move of N2.
    assert.equal((await bulk([{ subject: 'N1', manager: 'RN1' }])).status, 200);
    assert.equal(
      (
        await bulk([
          { subject: 'N1', manager: 'RN1' },
          { subject: 'N2', manager: 'RN2' },
        ])
      ).status,
      200,
    );

    assert.deepEqual(await row(), before.row, 'the book row is untouched');
    assert.equal(await subjectVersion(), before.version, 'the subject’s version is unchanged');
    assert.deepEqual(await moves('N1'), [[null, 'RN1', (await session()).actor, true]], 'no move recorded for N1');
    assert.deepEqual(await moves('N2'), [[null, 'RN2', (await session()).actor, true]]);
    assert.equal(Number(await changeRecords()), before.records + 1, 'one change record: the request that moved N2');
  });

  it('is read by staff who may read the customer: its RM now, not the RM it left, not another bank, not an embed token', async () => {
    // M1 is in RM1's book again (last test).
    assert.equal((await as('RM1').get('/v1/subjects/M1/manager/moves')).status, 200);
    assert.equal((await as('RM2').get('/v1/subjects/M1/manager/moves')).status, 404, 'the book it left');
    assert.equal((await client(f, 'b').get('/v1/subjects/M1/manager/moves')).status, 404, 'another bank');
    const minted = await admin.post('/v1/embed-tokens', { subject: 'M1', ttlSeconds: 300 });
    assert.equal(minted.status, 201, await minted.clone().text());
    const { token } = (await minted.json()) as { token: string };
    assert.equal((await client(f, () => token).get('/v1/subjects/M1/manager/moves')).status, 403, 'a customer’s embed token');
    assert.equal((await admin.get('/v1/subjects/NOPE/manager/moves')).status, 404);
  });
});

interface AuditRecord {
  requestId: string;
  phase: string;
  actor: string;
  method: string;
  route: string;
  target: Record<string, string>;
  detail: { moves?: { subject: string; from: string; to: string }[] } | null;
}

forEachDialect('moves between books in the audit trail', (f) => {
  const admin = client(f);

  it('records each move, single, bulk or imported, from whom to whom, in the chain with its request', async () => {
    for (const id of ['RA1', 'RA2'])
      assert.equal((await admin.put(`/v1/staff/${id}`, { name: id, role: 'officer', scope: 'book' })).status, 201);
    for (const id of ['AU1', 'AU2']) await admin.customer(id);
    const put = await admin.put('/v1/subjects/AU1/manager', { manager: 'RA1' });
    assert.equal(put.status, 200, await put.clone().text());
    assert.equal((await admin.put('/v1/subjects/AU1/manager', { manager: 'RA1' })).status, 200, 'no move, no record');
    const bulk = await admin.post('/v1/subject-managers', {
      assignments: [
        { subject: 'AU1', manager: 'RA2' },
        { subject: 'AU2', manager: 'RA1' },
      ],
    });
    assert.equal(bulk.status, 200, await bulk.clone().text());
    const imported = await f.app.request('/v1/imports?kind=managers', {
      method: 'POST',
      headers: { 'Content-Type': 'text/csv', ...authHeader(f) },
      body: 'subject,manager\r\nAU1,RA1\r\nAU2,\r\n',
    });
    assert.equal(imported.status, 201, await imported.clone().text());

    const records = async (subject: string) => {
      const res = await admin.get(`/v1/audit?target=${subject}&limit=100`);
      assert.equal(res.status, 200, await res.clone().text());
      return ((await res.json()) as { items: AuditRecord[] }).items;
    };
    const { actor } = (await (await admin.get('/v1/session')).json()) as { actor: string };
    // One record per request, its moves in `detail`.
    const changes = (items: AuditRecord[]) =>
      items
        .filter((r) => r.phase === 'change')
        .map((r) => [
          r.method,
          r.route,
          r.target.moves,
          (r.detail?.moves ?? []).map((m) => `${m.subject}:${m.from}>${m.to}`).join(' '),
          r.actor,
        ]);
    // Newest first, as the trail reads; found by a subject the moves name.
    assert.deepEqual(changes(await records('AU1')), [
      ['POST', '/v1/imports', '2', 'AU1:RA2>RA1 AU2:RA1>', actor],
      ['POST', '/v1/subject-managers', '2', 'AU1:RA1>RA2 AU2:>RA1', actor],
      ['PUT', '/v1/subjects/{id}/manager', '1', 'AU1:>RA1', actor],
    ]);
    assert.deepEqual(changes(await records('AU2')), changes(await records('AU1')).slice(0, 2));
    // A book's moves in and out are found by its staff id.
    assert.equal(changes(await records('RA2')).length, 2);
    // Only a change record's detail is searched: a value of another write's detail is not a target.
    assert.equal((await records('managers')).length, 0);
    // Nor a change record's target, which holds only how many moves it lists: a customer numbered 2
    // must not find every record of two moves.
    assert.equal((await records('2')).filter((r) => r.phase === 'change').length, 0);
    // Each sits between its request's intent and result, under the same request id.
    const all = (await (await admin.get('/v1/audit?limit=100')).json()) as { items: AuditRecord[] };
    const putId = put.headers.get('X-Request-Id');
    assert.deepEqual(
      all.items.filter((r) => r.requestId === putId).map((r) => r.phase),
      ['result', 'change', 'intent'],
    );
    const verified = (await (await admin.get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.equal(verified.ok, true, JSON.stringify(verified.problems));
  });

  it('an import moving 1,001 customers writes two change records, 1,000 moves and 1, not one per customer', async () => {
    assert.equal((await admin.put('/v1/staff/RB1', { name: 'RB1', role: 'officer', scope: 'book' })).status, 201);
    const ids = Array.from({ length: 1001 }, (_, i) => `BK${String(i).padStart(4, '0')}`);
    const upload = (kind: string, body: string) =>
      f.app.request(`/v1/imports?kind=${kind}`, { method: 'POST', headers: { 'Content-Type': 'text/csv', ...authHeader(f) }, body });
    const subjects = await upload('subjects', `id,kind,name\r\n${ids.map((id) => `${id},customer,客户`).join('\r\n')}\r\n`);
    assert.equal(subjects.status, 201, await subjects.clone().text());
    const imported = await upload('managers', `subject,manager\r\n${ids.map((id) => `${id},RB1`).join('\r\n')}\r\n`);
    assert.equal(imported.status, 201, await imported.clone().text());
    const res = await admin.get('/v1/audit?target=RB1&limit=100');
    const changes = ((await res.json()) as { items: AuditRecord[] }).items.filter((r) => r.phase === 'change');
    assert.deepEqual(
      changes.map((r) => [r.target.moves, r.detail?.moves?.length]),
      [
        ['1', 1],
        ['1000', 1000],
      ],
    );
    assert.deepEqual(changes[0]?.detail?.moves, [{ subject: 'BK1000', from: '', to: 'RB1' }]);
    const verified = (await (await admin.get('/v1/audit/verify')).json()) as { ok: boolean; problems: unknown[] };
    assert.equal(verified.ok, true, JSON.stringify(verified.problems));
  });
});
