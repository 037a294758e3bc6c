import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { connect } from '@tierkit/db';
import { seedDemoStaff } from '@tierkit/ops';
import { run } from './run.js';
import { runCaptured } from './run-captured.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('an operator migrates, seeds once, and is told when there is nothing to do', async () => {
  const database = join(dir, 'cli.db');
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  assert.equal(await run(['migrate', '--database', database], out), 0);
  // One outcome: how many were applied, and that the schema is now up to date (not a list, then "up to date").
  const applied = /, (\d+) migrations applied \(now at /.exec(lines.join('\n'))?.[1];
  assert.ok(applied, lines.join('\n'));
  assert.equal(lines.at(-1), `migrate: ${applied} migrations applied; the schema is up to date`);
  assert.equal(await run(['migrate', '--database', database], out), 0);
  assert.equal(lines.at(-1), 'migrate: nothing to apply; the schema was up to date');
  assert.equal(lines.at(-2), `database: ${database} (sqlite)`);
  assert.equal(await run(['seed', '--database', database, '--customers', '20'], out), 0);
  assert.equal(await run(['seed', '--database', database, '--customers', '20'], out), 0);
  assert.ok(lines.some((l) => l.includes('already seeded')));
  const db = connect({ url: database });
  const { n } = await db.db
    .selectFrom('subjects')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'customer')
    .executeTakeFirstOrThrow();
  await db.close();
  assert.equal(Number(n), 20);
});

it('unknown commands fail with one line on stderr that points to the help', async () => {
  const out: string[] = [];
  const err: string[] = [];
  assert.equal(
    await run(
      ['frobnicate'],
      (l) => out.push(l),
      (l) => err.push(l),
    ),
    2,
  );
  assert.equal(out.length, 0, 'nothing on stdout');
  assert.match(err.at(-1) ?? '', /unknown command "frobnicate".*--help/);
  assert.equal(await run(['--help'], (l) => out.push(l)), 0);
  assert.match(out.join('\n'), /Usage: tierkit/);
});

it('an operator creates a key (secret shown once), lists it without the secret, and revokes it', async () => {
  const database = join(dir, 'keys.db');
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  assert.equal(await run(['seed', '--database', database, '--customers', '5'], out), 0);
  assert.equal(
    await run(['keys', 'create', '--database', database, '--tenant', 'demo', '--role', 'admin', '--label', 'ops', '--unowned'], out),
    0,
  );
  const secret = /secret \(shown once, store it now\): (tk_\S+)/.exec(lines.join('\n'))?.[1];
  const id = /created (key_\S+)/.exec(lines.join('\n'))?.[1];
  assert.ok(secret && id, lines.join('\n'));

  const listed: string[] = [];
  assert.equal(await run(['keys', 'list', '--database', database], (l) => listed.push(l)), 0);
  assert.match(listed.join('\n'), new RegExp(`${id}\\s+demo\\s+admin .* active\\s+ops`));
  assert.ok(!listed.join('\n').includes(secret), 'the list never shows the secret');

  const db = connect({ url: database });
  const api = createApp({ db: db.db });
  const ask = () => api.request('/v1/schemes', { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal((await ask()).status, 200);
  assert.equal(await run(['keys', 'revoke', id, '--database', database], out), 0);
  assert.equal((await ask()).status, 401);
  await db.close();

  assert.equal(
    await run(['keys', 'create', '--database', database, '--tenant', 'nope', '--role', 'admin', '--label', 'x', '--unowned'], out),
    1,
  );
  assert.equal(await run(['keys', 'create', '--database', database, '--tenant', 'demo', '--role', 'root', '--label', 'x'], out), 2);
});

it('an operator gives a key an owner, sees it in the list, and is warned about an approving key nobody owns', async () => {
  const database = join(dir, 'owners.db');
  const keys = (...argv: string[]) => runCaptured(['keys', ...argv, '--database', database]);
  assert.equal((await runCaptured(['seed', '--database', database, '--customers', '5'])).code, 0);
  // The demo server's staff (tierkit seed leaves staff to the bank): MAKER01, CHECKER01, RM001 …
  const db = connect({ url: database });
  await seedDemoStaff(db.db, 'demo', '2025-11-01T00:00:00.000Z');
  await db.close();

  const owned = await keys('create', '--tenant', 'demo', '--role', 'approver', '--label', 'checker', '--staff', 'CHECKER01', '--json');
  assert.equal(owned.code, 0, owned.err.join('\n'));
  assert.deepEqual(
    owned.err.filter((l) => !l.startsWith('database: ')),
    [],
    'no warning for an owned key',
  );
  const key = JSON.parse(owned.out.join('\n')) as { id: string; staffId: string | null };
  assert.equal(key.staffId, 'CHECKER01');

  // A key of a four-eyes role owned by nobody is refused unless asked for on purpose: one line, nothing made.
  for (const role of ['officer', 'approver', 'admin']) {
    const refused = await keys('create', '--tenant', 'demo', '--role', role, '--label', 'ops');
    assert.equal(refused.code, 2, role);
    assert.deepEqual(refused.out, []);
    const said = refused.err.filter((l) => !l.startsWith('database: '));
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(said[0] ?? '', new RegExp(`--role ${role} needs --staff STAFF_ID .* or --unowned`));
  }
  assert.equal((await keys('create', '--tenant', 'demo', '--role', 'admin', '--label', 'x', '--staff', 'CHECKER01', '--unowned')).code, 2);
  const unowned = await keys('create', '--tenant', 'demo', '--role', 'admin', '--label', 'ops', '--unowned', '--json');
  assert.equal(unowned.code, 0, unowned.err.join('\n'));
  const unownedKey = JSON.parse(unowned.out.join('\n')) as { id: string; staffId: string | null };
  assert.equal(unownedKey.staffId, null);
  assert.match(unowned.err.join('\n'), /can file or decide four-eyes requests and has no owner/);
  // Its audit record says it was issued unowned on purpose.
  const trail = connect({ url: database });
  const record = await trail.db
    .selectFrom('audit_records')
    .select('detail')
    .where('chain', '=', 'demo')
    .where('route', '=', 'tierkit keys create')
    .orderBy('seq', 'desc')
    .executeTakeFirstOrThrow();
  await trail.close();
  assert.deepEqual(JSON.parse(record.detail ?? '{}'), { key: unownedKey.id, role: 'admin', owner: null, label: 'ops', unowned: true });
  // An officer files what its holder could then approve with their own token: warned too.
  const officer = await keys('create', '--tenant', 'demo', '--role', 'officer', '--label', 'sync', '--unowned');
  assert.equal(officer.code, 0);
  assert.match(officer.err.join('\n'), /has no owner/);
  const viewer = await keys('create', '--tenant', 'demo', '--role', 'viewer', '--label', 'reports');
  assert.deepEqual(
    viewer.err.filter((l) => !l.startsWith('database: ')),
    [],
    'a key that can neither file nor decide needs no owner',
  );

  const listed = await keys('list', '--tenant', 'demo');
  assert.match(listed.out.join('\n'), new RegExp(`${key.id}\\s+demo\\s+approver\\s+owner CHECKER01 .* active\\s+checker`));

  const nobody = await keys('create', '--tenant', 'demo', '--role', 'approver', '--label', 'x', '--staff', 'NOBODY');
  assert.equal(nobody.code, 1);
  assert.deepEqual(nobody.out, []);
  assert.match(nobody.err.at(-1) ?? '', /no staff member "NOBODY" in tenant "demo"/);
  // RM001 is an officer: their key may not approve.
  const above = await keys('create', '--tenant', 'demo', '--role', 'approver', '--label', 'x', '--staff', 'RM001');
  assert.equal(above.code, 1);
  assert.match(above.err.at(-1) ?? '', /has the officer role/);
  assert.equal((await keys('create', '--tenant', 'demo', '--role', 'viewer', '--label', 'x', '--staff', '')).code, 2);

  // Someone leaving: every key they own is revoked at once, and nobody else's.
  const second = await keys('create', '--tenant', 'demo', '--role', 'viewer', '--label', 'reports', '--staff', 'CHECKER01', '--json');
  const secondId = (JSON.parse(second.out.join('\n')) as { id: string }).id;
  const leaving = await keys('revoke', '--staff', 'CHECKER01', '--tenant', 'demo', '--json');
  assert.equal(leaving.code, 0, leaving.err.join('\n'));
  assert.deepEqual((JSON.parse(leaving.out.join('\n')) as { revoked: string[] }).revoked.sort(), [key.id, secondId].sort());
  const after = JSON.parse((await keys('list', '--tenant', 'demo', '--json')).out.join('\n')) as {
    staffId: string | null;
    revokedAt: string | null;
  }[];
  assert.ok(after.filter((k) => k.staffId === 'CHECKER01').every((k) => k.revokedAt !== null));
  assert.ok(
    after.filter((k) => k.staffId === null).every((k) => k.revokedAt === null),
    'unowned keys untouched',
  );
  assert.match((await keys('revoke', '--staff', 'CHECKER01', '--tenant', 'demo')).out.join('\n'), /holds no active key/);
  assert.equal((await keys('revoke', '--staff', 'CHECKER01')).code, 2, 'the tenant is named');
});

it('an operator issues the portal backend an embedder key: it mints, nothing else, never owned, no warning', async () => {
  const database = join(dir, 'embedder.db');
  const keys = (...argv: string[]) => runCaptured(['keys', ...argv, '--database', database]);
  assert.equal((await runCaptured(['seed', '--database', database, '--customers', '5'])).code, 0);
  const made = await keys('create', '--tenant', 'demo', '--role', 'embedder', '--label', 'portal backend');
  assert.equal(made.code, 0, made.err.join('\n'));
  assert.match(made.out.join('\n'), /role embedder, no owner/);
  assert.deepEqual(
    made.err.filter((l) => !l.startsWith('database: ')),
    [],
    'no four-eyes warning: it can neither file nor decide',
  );
  const secret = /secret \(shown once, store it now\): (tk_\S+)/.exec(made.out.join('\n'))?.[1];
  assert.ok(secret);
  const db = connect({ url: database });
  const api = createApp({ db: db.db });
  const call = (method: string, path: string, body?: unknown) =>
    api.request(path, {
      method,
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  assert.equal((await call('POST', '/v1/embed-tokens', { subject: 'C000003', origins: ['http://localhost:5173'] })).status, 201);
  assert.equal((await call('GET', '/v1/subjects/C000003/tiers')).status, 403);
  await seedDemoStaff(db.db, 'demo', '2025-11-01T00:00:00.000Z');
  await db.close();
  const owned = await keys('create', '--tenant', 'demo', '--role', 'embedder', '--label', 'x', '--staff', 'CHECKER01');
  assert.equal(owned.code, 1);
  assert.match(owned.err.at(-1) ?? '', /embedder key has no owner/);
});

it('an operator sets up a second bank from nothing: tenant, key, schemes, no demo subjects', async () => {
  const database = join(dir, 'tenants.db');
  const lines: string[] = [];
  const out = (l: string) => lines.push(l);
  assert.equal(await run(['tenants', 'create', 'other', '--name', 'Other Bank', '--database', database], out), 0);
  assert.equal(await run(['tenants', 'create', 'other', '--database', database], out), 1, 'a second create changes nothing');
  assert.equal(await run(['tenants', 'create', 'no spaces', '--database', database], out), 2);
  assert.equal(await run(['tenants', 'create', '--database', database], out), 2);
  const listed: string[] = [];
  assert.equal(await run(['tenants', 'list', '--database', database], (l) => listed.push(l)), 0);
  assert.equal(listed.length, 1, listed.join('\n'));
  assert.match(listed[0] ?? '', /^other\s+\S+\s+Other Bank$/);

  assert.equal(
    await run(['keys', 'create', '--tenant', 'other', '--role', 'admin', '--label', 'ops', '--unowned', '--database', database], out),
    0,
    lines.join('\n'),
  );
  const secret = /secret \(shown once, store it now\): (tk_\S+)/.exec(lines.join('\n'))?.[1];
  assert.ok(secret);
  const db = connect({ url: database });
  try {
    const api = createApp({ db: db.db });
    const get = (path: string) => api.request(path, { headers: { Authorization: `Bearer ${secret}` } });
    const schemes = (await (await get('/v1/schemes')).json()) as { items: { key: string }[] };
    assert.ok(
      schemes.items.some((s) => s.key === 'retail-tier'),
      'the default policy pack is active',
    );
    assert.deepEqual(await (await get('/v1/subjects')).json(), { items: [], nextCursor: null }, 'no demo subjects were seeded');
    const put = await api.request('/v1/subjects/K1', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', displayName: '赵六' }),
    });
    assert.equal(put.status, 201, 'the new bank loads its own customers');
  } finally {
    await db.close();
  }
});

it('a provisioning script reads keys and tenants as JSON on stdout, and every refusal on stderr', async () => {
  const database = join(dir, 'script.db');
  const run2 = (argv: string[]) => runCaptured([...argv, '--database', database]);
  const tenant = await run2(['tenants', 'create', 'bank2', '--name', 'Bank Two', '--json']);
  assert.equal(tenant.code, 0, tenant.err.join('\n'));
  assert.deepEqual(JSON.parse(tenant.out.join('\n')), { id: 'bank2', name: 'Bank Two' });
  const again = await run2(['tenants', 'create', 'bank2', '--json']);
  assert.equal(again.code, 1);
  assert.deepEqual(again.out, [], 'nothing on stdout for a refusal');
  assert.match(again.err.at(-1) ?? '', /already exists/);
  const tenants = await run2(['tenants', 'list', '--json']);
  assert.deepEqual(
    (JSON.parse(tenants.out.join('\n')) as { id: string }[]).map((t) => t.id),
    ['bank2'],
  );

  const created = await run2(['keys', 'create', '--tenant', 'bank2', '--role', 'officer', '--label', 'batch', '--unowned', '--json']);
  assert.equal(created.code, 0, created.err.join('\n'));
  const key = JSON.parse(created.out.join('\n')) as { id: string; tenantId: string; role: string; secret: string };
  assert.equal(key.tenantId, 'bank2');
  assert.equal(key.role, 'officer');
  assert.match(key.secret, /^tk_/);
  const listed = await run2(['keys', 'list', '--tenant', 'bank2', '--json']);
  const keys = JSON.parse(listed.out.join('\n')) as { id: string; revokedAt: string | null }[];
  assert.deepEqual(
    keys.map((k) => [k.id, k.revokedAt]),
    [[key.id, null]],
  );
  assert.ok(!listed.out.join('\n').includes(key.secret), 'the list never shows the secret');

  const revoked = await run2(['keys', 'revoke', key.id, '--json']);
  assert.equal(revoked.code, 0);
  assert.deepEqual(JSON.parse(revoked.out.join('\n')), { id: key.id, revoked: true });
  const twice = await run2(['keys', 'revoke', key.id, '--json']);
  assert.equal(twice.code, 1);
  assert.deepEqual(twice.out, []);
  assert.match(twice.err.at(-1) ?? '', new RegExp(`no active key ${key.id}`));

  const noTenant = await run2(['keys', 'create', '--tenant', 'nope', '--role', 'admin', '--label', 'x', '--unowned', '--json']);
  assert.equal(noTenant.code, 1);
  assert.deepEqual(noTenant.out, []);
  assert.match(noTenant.err.at(-1) ?? '', /tenant "nope" does not exist/);
  const badRole = await run2(['keys', 'create', '--tenant', 'bank2', '--role', 'root', '--label', 'x']);
  assert.equal(badRole.code, 2);
  assert.deepEqual(badRole.out, []);
  assert.match(badRole.err.at(-1) ?? '', /unknown role "root"/);

  const rotated = await run2(['keys', 'rotate-signing', '--tenant', 'bank2', '--json']);
  assert.equal(rotated.code, 0, rotated.err.join('\n'));
  assert.equal((JSON.parse(rotated.out.join('\n')) as { tenantId: string }).tenantId, 'bank2');
  const rotateNone = await run2(['keys', 'rotate-signing', '--tenant', 'nope']);
  assert.equal(rotateNone.code, 1);
  assert.equal(rotateNone.err.at(-1), 'keys rotate-signing: tenant "nope" does not exist');
});
