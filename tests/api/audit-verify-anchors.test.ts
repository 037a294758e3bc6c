import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { createApiKey, createApp, provisionTenant, type AuditVerifyResult } from '@tierkit/api';
import { AnchorsFile, AnchorsIndex, anchorAuditHeads } from '@tierkit/ops';
import { client, forEachDialect, NOW, type ApiFixture } from '../support/api-fixture.js';
import { appendRecords, cutConsistently, rewriteConsistently } from '../support/audit-records.js';
import { checkedResponses } from '../support/openapi-responses.js';
import { testPack } from '../support/test-pack.js';

/*
 * `GET /v1/audit/verify` on a server that keeps audit anchors (`createApp`'s `auditAnchors`, which
 * apps/server gives for TIERKIT_AUDIT_ANCHOR_FILE): the console's check is the strong one — a chain
 * rewritten whole with its head, or cut back, fails — and a tenant learns nothing of another's anchors
 * nor of the file.
 */

const dir = mkdtempSync(join(tmpdir(), 'tierkit-verify-anchors-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const TENANTS = ['va-intact', 'va-rewritten', 'va-cut'] as const;

forEachDialect('GET /v1/audit/verify against the server’s anchors', (f: ApiFixture) => {
  const keys: Record<string, string> = {};
  const logged: unknown[] = [];
  let file = '';

  /** The app as the server builds it when TIERKIT_AUDIT_ANCHOR_FILE names `path` (apps/server's `anchorsForApi`). */
  const anchoredApp = (path: string) => {
    const index = new AnchorsIndex(path);
    return checkedResponses(
      createApp({ db: f.db.db, now: () => NOW, logError: (e) => logged.push(e), auditAnchors: (chain) => index.read(chain) }),
    );
  };
  /** The seqs the anchors file holds for `tenant`, in file order. */
  const anchoredSeqs = (tenant: string, path = file) =>
    readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { tenant: string; seq: number })
      .filter((a) => a.tenant === tenant)
      .map((a) => a.seq);
  const verify = async (app: ReturnType<typeof createApp>, tenant: string) => {
    const res = await app.request('/v1/audit/verify', { headers: { Authorization: `Bearer ${keys[tenant]}` } });
    assert.equal(res.status, 200);
    const text = await res.text();
    return { body: JSON.parse(text) as AuditVerifyResult, text };
  };

  it('sets up tenants with records, anchored by the server’s pass', async () => {
    file = join(dir, `${f.db.dialect}.jsonl`);
    for (const id of TENANTS) {
      await provisionTenant(f.db.db, { id, name: id, pack: testPack(), now: NOW });
      keys[id] = (await createApiKey(f.db.db, { tenantId: id, role: 'admin', label: 'auditor', now: NOW })).secret;
      await appendRecords(f.db.db, id, 6);
    }
    // Two passes, another tenant's head moving between them: the file holds more of its lines than of ours.
    await anchorAuditHeads(f.db.db, new AnchorsFile(file), NOW);
    await appendRecords(f.db.db, 'va-cut', 2);
    await anchorAuditHeads(f.db.db, new AnchorsFile(file), new Date(NOW.getTime() + 60_000));
  });

  it('without an anchors file it says plainly that none were checked, and what that lets pass', async () => {
    const { body } = await verify(f.app, 'va-intact');
    assert.deepEqual(
      [body.ok, body.chainOk, body.anchors.status, body.anchors.anchors, body.anchors.newest],
      [true, true, 'not-configured', 0, null],
    );
    assert.match(body.anchors.message, /rewritten whole with its head would pass/);
  });

  it('an intact chain matches its anchors: counted, newest seq and time reported', async () => {
    const [seq] = anchoredSeqs('va-intact');
    const { body } = await verify(anchoredApp(file), 'va-intact');
    assert.equal(body.ok, true, body.anchors.message);
    assert.deepEqual(body.anchors, {
      status: 'checked',
      anchors: 1,
      newest: { seq, at: NOW.toISOString() },
      malformedLines: 0,
      problems: [],
      message: `The chain matches its anchor: vouched for through record ${seq}, anchored at ${NOW.toISOString()}.`,
    });
  });

  it('a chain rewritten whole with its head passes alone but fails against its anchors (anchor-mismatch)', async () => {
    await rewriteConsistently(f.db, 'va-rewritten', 3);
    const plain = await verify(f.app, 'va-rewritten');
    assert.equal(plain.body.ok, true, 'the attack the anchors exist for: the chain alone is consistent');
    const { body } = await verify(anchoredApp(file), 'va-rewritten');
    assert.deepEqual([body.ok, body.chainOk, body.problems.length], [false, true, 0]);
    assert.deepEqual(
      body.anchors.problems.map((p) => [p.kind, p.seq]),
      anchoredSeqs('va-rewritten').map((seq) => ['anchor-mismatch', seq]),
    );
  });

  it('a chain rewritten and its forged head anchored since still fails: the older anchor is checked too', async () => {
    const app = anchoredApp(file);
    const [before] = anchoredSeqs('va-rewritten');
    // The server's next pass writes down the rewritten head as it would any head that moved.
    await appendRecords(f.db.db, 'va-rewritten', 1);
    await anchorAuditHeads(f.db.db, new AnchorsFile(file), new Date(NOW.getTime() + 120_000), ['va-rewritten']);
    assert.equal(anchoredSeqs('va-rewritten').length, 2);
    const { body } = await verify(app, 'va-rewritten');
    assert.deepEqual([body.ok, body.chainOk, body.anchors.anchors], [false, true, 2]);
    assert.deepEqual(
      body.anchors.problems.map((p) => [p.kind, p.seq]),
      [['anchor-mismatch', before]],
      'the new anchor matches the forged chain; the first one does not',
    );
  });

  it('a chain cut back with its head moved fails against its newest anchor (anchor-truncated)', async () => {
    const newest = Math.max(...anchoredSeqs('va-cut'));
    await cutConsistently(f.db, 'va-cut', newest - 3);
    assert.equal((await verify(f.app, 'va-cut')).body.ok, true, 'the chain alone is consistent');
    const { body } = await verify(anchoredApp(file), 'va-cut');
    assert.deepEqual([body.ok, body.chainOk, body.anchors.anchors, body.anchors.newest?.seq], [false, true, 2, newest]);
    assert.deepEqual(
      body.anchors.problems.map((p) => [p.kind, p.seq]),
      [['anchor-truncated', newest]],
    );
    assert.match(body.anchors.problems[0]?.message ?? '', new RegExp(`records ${newest - 2}…${newest} were cut`));
  });

  it('a tenant is told of its own anchors only: no other tenant, count, line or path', async () => {
    assert.deepEqual([anchoredSeqs('va-rewritten').length, anchoredSeqs('va-cut').length], [2, 2], 'the file holds other tenants’ lines');
    const { body, text } = await verify(anchoredApp(file), 'va-intact');
    assert.equal(body.anchors.anchors, 1);
    for (const other of TENANTS.filter((t) => t !== 'va-intact')) assert.ok(!text.includes(other), other);
    assert.ok(!text.includes(dir), 'no path');
    assert.doesNotMatch(text, /line/);
  });

  it('a line that is not an anchor fails the tenant it names, or every tenant when it names none; the answer names no path nor line', async () => {
    const damaged = join(dir, `${f.db.dialect}-damaged.jsonl`);
    appendFileSync(damaged, readFileSync(file));
    const app = anchoredApp(damaged);
    const noLeak = (text: string) => {
      assert.ok(!text.includes(dir), 'no path');
      assert.doesNotMatch(text, /\blines? (no\.? ?)?\d|#\d+ line|line(:| number)/i, 'no line number');
    };
    // Another tenant's bad line is theirs to hear of: ours verifies still.
    appendFileSync(damaged, '{"tenant":"va-cut","seq":"x"}\n');
    assert.equal((await verify(app, 'va-intact')).body.ok, true);
    const theirs = await verify(app, 'va-cut');
    assert.equal(theirs.body.anchors.malformedLines, 1);
    // A line still being written is not a line yet: it fails nobody.
    appendFileSync(damaged, '{"tenant":"va-intact","seq":9,"ha');
    const pending = (await verify(app, 'va-intact')).body;
    assert.deepEqual([pending.ok, pending.anchors.malformedLines], [true, 0]);
    // Left cut short for good (the next line written after it), it could have been our newest anchor.
    appendFileSync(damaged, '\n');
    const { body, text } = await verify(app, 'va-intact');
    assert.deepEqual([body.ok, body.chainOk, body.anchors.status, body.anchors.malformedLines], [false, true, 'checked', 1]);
    assert.match(body.anchors.message, /a line that is not an anchor/);
    noLeak(text);
    // A line over 4 KiB names nobody: it could have been anyone's.
    appendFileSync(damaged, `${'x'.repeat(5000)}\n`);
    const long = await verify(app, 'va-intact');
    assert.deepEqual([long.body.ok, long.body.anchors.malformedLines], [false, 2]);
    noLeak(long.text);
    assert.equal((await verify(app, 'va-rewritten')).body.anchors.malformedLines, 1, 'the long line counts against the others too');
  });

  it('an anchors file that cannot be read is answered as such, not ok, with no path (the log has it)', async () => {
    const missing = join(dir, 'no-such-folder', 'anchors.jsonl');
    logged.length = 0;
    const { body, text } = await verify(anchoredApp(missing), 'va-intact');
    assert.deepEqual([body.ok, body.chainOk, body.anchors.status, body.anchors.anchors], [false, true, 'unreadable', 0]);
    assert.match(body.anchors.message, /anchors file is gone/);
    assert.ok(!text.includes(dir), 'no path');
    assert.equal((logged[0] as NodeJS.ErrnoException).code, 'ENOENT');
    assert.ok(String(logged[0]).includes(missing), 'the log has the path');
  });

  it('a tenant newer than the last anchoring pass is checked by its chain alone, and said so', async () => {
    await provisionTenant(f.db.db, { id: 'va-new', name: 'va-new', pack: testPack(), now: NOW });
    keys['va-new'] = (await createApiKey(f.db.db, { tenantId: 'va-new', role: 'admin', label: 'auditor', now: NOW })).secret;
    const { body } = await verify(anchoredApp(file), 'va-new');
    assert.deepEqual([body.ok, body.anchors.status, body.anchors.anchors, body.anchors.newest], [true, 'checked', 0, null]);
    assert.match(body.anchors.message, /no anchor of this chain yet/);
  });

  it('the route still needs a checker: an approver or an admin, by key as by staff token (docs/permissions.md)', async () => {
    const res = await client(f, () => f.keys.roles.officer).get('/v1/audit/verify');
    assert.equal(res.status, 403);
  });
});
