import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LOCALES, type EntitlementsResponse, type HistoryResponse, type TiersResponse } from '@tierkit/core';
import { maskName } from '@tierkit/api';
import { client, forEachDialect } from '../support/api-fixture.js';

const Q3 = ['2025-08', '2025-09', '2025-10'] as const;

/** Every object in `value` whose keys are all locales, with the path it sits at. */
function localizedTexts(value: unknown, path = '$', out: [string, Record<string, string>][] = []): [string, Record<string, string>][] {
  if (Array.isArray(value))
    value.forEach((v, i) => {
      localizedTexts(v, `${path}[${i}]`, out);
    });
  else if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length > 0 && keys.every((k) => (LOCALES as readonly string[]).includes(k))) out.push([path, value as Record<string, string>]);
    else for (const [k, v] of Object.entries(value)) localizedTexts(v, `${path}.${k}`, out);
  }
  return out;
}

forEachDialect('read views: ?locale=, ?scheme=, and ETags that follow writes', (f) => {
  const api = client(f);

  it('?locale=en returns each label in English only, the same words the full answer has', async () => {
    await api.customer('V1');
    await api.balances(
      'V1',
      Q3.map((p) => [p, 60_000]),
    );
    for (const route of ['tiers', 'entitlements']) {
      const full = await (await api.get(`/v1/subjects/V1/${route}`)).json();
      const res = await api.get(`/v1/subjects/V1/${route}?locale=en`);
      assert.equal(res.status, 200);
      const one = await res.json();
      const fullTexts = localizedTexts(full);
      const oneTexts = localizedTexts(one);
      assert.ok(fullTexts.length > 0, `${route} has labels to localize`);
      assert.deepEqual(
        oneTexts.map(([p]) => p),
        fullTexts.map(([p]) => p),
        `${route}: the same labels, in the same places`,
      );
      for (const [i, [path, text]] of oneTexts.entries()) assert.deepEqual(text, { en: fullTexts[i]?.[1].en }, `${route} ${path}`);
      assert.ok(JSON.stringify(one).length < JSON.stringify(full).length);
    }
    // History items carry no labels: the parameter is accepted and changes nothing.
    assert.deepEqual(
      await (await api.get('/v1/subjects/V1/history?locale=en')).json(),
      await (await api.get('/v1/subjects/V1/history')).json(),
    );
    const zh = (await (await api.get('/v1/subjects/V1/tiers?locale=zh-CN')).json()) as TiersResponse;
    assert.deepEqual(zh.assignments.find((a) => a.scheme === 'retail-tier')?.schemeInfo.levels.find((l) => l.key === 'gold')?.name, {
      'zh-CN': '金卡',
    });
  });

  it('the tiers read, spliced from stored JSON, is the very document the write built from objects', async () => {
    await api.customer('V4');
    const written = await (
      await api.balances(
        'V4',
        Q3.map((p) => [p, 400_000]),
      )
    ).json();
    const read = await (await api.get('/v1/subjects/V4/tiers')).json();
    assert.deepEqual(read, written);
    assert.ok((read as TiersResponse).metrics.length > 0, 'with the metrics its explanations name');
  });

  it('?scheme= shows only the schemes asked for, with only their metrics; an unknown one is a 404, a bad locale a 400', async () => {
    await api.customer('V2');
    await api.balances(
      'V2',
      Q3.map((p) => [p, 60_000]),
    );
    const all = (await (await api.get('/v1/subjects/V2/tiers')).json()) as TiersResponse;
    assert.ok(all.assignments.length > 1, 'the customer has several schemes');
    const one = (await (await api.get('/v1/subjects/V2/tiers?scheme=retail-tier')).json()) as TiersResponse;
    assert.deepEqual(
      one.assignments.map((a) => a.scheme),
      ['retail-tier'],
    );
    assert.deepEqual(
      one.assignments[0],
      all.assignments.find((a) => a.scheme === 'retail-tier'),
    );
    const mentioned = new Set(one.assignments[0]?.explanation.inputs.map((i) => i.metric));
    for (const m of one.metrics)
      assert.ok(
        mentioned.has(m.key) ||
          one.assignments[0]?.progress?.paths.some((p) => p.metric === m.key) ||
          one.assignments[0]?.retention?.lines.some((l) => l.metric === m.key),
        `${m.key} belongs to retail-tier`,
      );
    const two = all.assignments.slice(0, 2).map((a) => a.scheme);
    const both = (await (await api.get(`/v1/subjects/V2/tiers?scheme=${two.join(',')}&locale=en`)).json()) as TiersResponse;
    assert.deepEqual(
      both.assignments.map((a) => a.scheme),
      two,
    );

    const unknown = await api.get('/v1/subjects/V2/tiers?scheme=retail-tier,no-such-scheme');
    assert.equal(unknown.status, 404);
    assert.match(unknown.headers.get('Content-Type') ?? '', /^application\/problem\+json/);
    assert.match(((await unknown.json()) as { detail: string }).detail, /no-such-scheme/);
    const badLocale = await api.get('/v1/subjects/V2/tiers?locale=fr');
    assert.equal(badLocale.status, 400);
    assert.equal((await api.get('/v1/subjects/V2/tiers?scheme=')).status, 400);
  });

  it('a 304 until a write: new metrics change the tiers, entitlements and history ETags, a rename the tiers one', async () => {
    await api.customer('V3', '王小二');
    await api.balances('V3', [
      ['2025-08', 60_000],
      ['2025-09', 60_000],
    ]);
    const etags: Record<string, string> = {};
    for (const route of ['tiers', 'entitlements', 'history']) {
      const res = await api.get(`/v1/subjects/V3/${route}`);
      etags[route] = res.headers.get('ETag') ?? '';
      assert.ok(etags[route], `${route} has an ETag`);
      assert.equal((await api.get(`/v1/subjects/V3/${route}`, { 'If-None-Match': etags[route] })).status, 304, `${route} unchanged: 304`);
    }
    assert.notEqual((await api.get('/v1/subjects/V3/tiers?locale=en')).headers.get('ETag'), etags.tiers, 'another view, another ETag');

    await api.balances('V3', [['2025-10', 400_000]]);
    await api.put('/v1/subjects/V3/metrics', { metrics: [{ metric: 'lounge_visits', period: '2025-10', value: 1 }] });
    for (const route of ['tiers', 'entitlements', 'history']) {
      const res = await api.get(`/v1/subjects/V3/${route}`, { 'If-None-Match': etags[route] ?? '' });
      assert.equal(res.status, 200, `${route} after a write: the new body`);
      assert.notEqual(res.headers.get('ETag'), etags[route]);
      etags[route] = res.headers.get('ETag') ?? '';
    }
    const history = (await (await api.get('/v1/subjects/V3/history')).json()) as HistoryResponse;
    assert.ok(history.items.length > 0);
    const ent = (await (await api.get('/v1/subjects/V3/entitlements')).json()) as EntitlementsResponse;
    assert.ok(ent.entitlements.length > 0);

    await api.customer('V3', '李四');
    const renamed = await api.get('/v1/subjects/V3/tiers', { 'If-None-Match': etags.tiers ?? '' });
    assert.equal(renamed.status, 200);
    assert.equal(((await renamed.json()) as TiersResponse).subject.displayName, maskName('李四'));
  });
});
