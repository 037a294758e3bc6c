import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fetchAffectedCsv } from '@tierkit/admin';
import { PolicyEditor } from '@tierkit/admin/policy-editor';
import { drainJobs } from '@tierkit/api';
import { TierkitApiError } from '@tierkit/client';
import { NOW } from '../support/api-fixture.js';
import { kitFixture } from './kit-fixture.js';

/** The card tiers' platinum balance line in the default pack: ¥300,000 in fen. */
const PLATINUM_BALANCE = 'document.policy.levels[1].when.of[0].value';

describe('the affected-customer CSV of a simulation (admin kit)', () => {
  const f = kitFixture();

  it('is fetched with the credential, named by the API, and refused with the API problem', async () => {
    // 白金卡 from ¥500,000: K01–K07 (¥400,000, platinum) fall below the line and are held by the grace.
    const ed = new PolicyEditor(f.client('OFF1'));
    await ed.load();
    await ed.selectScheme('retail-tier');
    await ed.createDraft();
    ed.setValue(PLATINUM_BALANCE, 50_000_000);
    await ed.simulate();
    await drainJobs({ db: f.db.db, now: () => NOW });
    for (let i = 0; i < 200 && ed.state.simulationJob?.status !== 'completed'; i++) await new Promise((r) => setTimeout(r, 25));
    const job = ed.state.simulationJob;
    assert.equal(job?.status, 'completed');

    const file = await fetchAffectedCsv(f.client('OFF1'), job.id, { locale: 'en' });
    assert.match(file.fileName, /^simulation-retail-tier-v\d+-2025-11\.csv$/);
    const lines = (await file.blob.text()).replace(/^\uFEFF/, '').split('\r\n');
    assert.match(lines[0] ?? '', /^"Data status"/);
    assert.equal(lines[1], '"Policy version in force","v1 → simulated v2"');
    const rows = lines.slice(3).filter((l) => l !== '');
    assert.deepEqual(
      rows.map((l) => l.split(',')[0]),
      ['"K01"', '"K02"', '"K03"', '"K04"', '"K05"', '"K06"', '"K07"'],
    );

    // A book-scoped RM (RM2) reads a job's sub-routes as GET /v1/jobs/{id} answers them: a 403, no file —
    // the API's problem comes through as it is.
    await assert.rejects(fetchAffectedCsv(f.client('RM2'), job.id, { locale: 'en' }), (e: unknown) => {
      assert.ok(e instanceof TierkitApiError);
      assert.equal(e.problem.status, 403);
      assert.equal(e.problem.type, 'https://tierkit.dev/problems/forbidden');
      return true;
    });

    // A well-formed id of no job here: the API's 404 comes through as its problem, no file.
    const other = job.id.slice(0, -1) + (job.id.endsWith('0') ? '1' : '0');
    await assert.rejects(fetchAffectedCsv(f.client('OFF1'), other), (e: unknown) => {
      assert.ok(e instanceof TierkitApiError);
      assert.equal(e.problem.status, 404);
      return true;
    });
  });
});
