import assert from 'node:assert/strict';
import { before, it } from 'node:test';
import { createApp } from '@tierkit/api';
import { client, forEachDialect } from '../support/api-fixture.js';
import { retentionRunCount } from '../support/audit-records.js';

/*
 * Erasing a customer clears the texts kept for others that name them — by their name too. Chinese has
 * no spaces between words, so 张三 stands inside 张三丰: a text about another customer of the bank,
 * 张三丰, keeps its words (and the run counts it), while a text that names 张三 in running Chinese
 * (客户张三主动销户) is cleared. A spaced script's name is a whole word: erasing Li Na leaves Li Nan's.
 * (docs/operations.md, "Retention and erasure of closed customers", how names are matched.)
 */

const ACTIVE = '2019-06-15T02:00:00Z';
const LEFT = '2019-07-01T02:00:00Z';
const ERASED = [
  ['C990201', '张三'],
  ['C990202', 'Li Na'],
  ['C990205', '김민'],
  ['C990206', 'さくら'],
] as const;
const KEPT = [
  ['C990203', '张三丰'],
  ['C990204', 'Li Nan'],
  ['C990207', '김민수'],
] as const;
const REASONS = {
  other: '为张三丰补跑四月',
  own: '客户张三主动销户后补跑',
  both: '张三与张三丰同批补跑',
  stranger: '张三峰来电，补跑',
  otherLatin: 'Li Nan asked for a review',
  ownLatin: 'Li Na asked for a review',
  // Korean attaches a particle to the name (김민이), Japanese runs kana on (さくらさん): no whole word.
  ownKorean: '김민이 재평가를 요청함',
  otherKorean: '김민수 고객 재평가',
  ownJapanese: 'さくらさんの依頼で再評価',
} as const;

forEachDialect('an erasure matches names as names', (f) => {
  const then = (at: string) => client({ ...f, app: createApp({ db: f.db.db, now: () => new Date(at), logError: () => undefined }) }, 'a');
  const jobs: Record<string, string> = {};

  before(async () => {
    for (const [id, name] of [...ERASED, ...KEPT]) await then(ACTIVE).customer(id, name);
    const live = KEPT[0][0];
    const loaded = await then(ACTIVE).balances(live, [
      ['2019-04', 100_000],
      ['2019-05', 100_000],
    ]);
    assert.equal(loaded.status, 200);
    for (const [key, reason] of Object.entries(REASONS)) {
      const res = await then(ACTIVE).post('/v1/jobs', { kind: 'retier', period: '2019-05', filter: { subjects: [live] }, reason });
      assert.equal(res.status, 201, await res.clone().text());
      jobs[key] = ((await res.json()) as { id: string }).id;
    }
    for (const [id] of ERASED) {
      const closed = await then(LEFT).post(`/v1/subjects/${id}/close`, { reason: '销户' });
      assert.equal(closed.status, 200, await closed.clone().text());
    }
    const run = await client(f).post('/v1/retention/run', {});
    assert.equal(((await run.json()) as { erased: number }).erased, ERASED.length);
  });

  const reasonOf = async (key: keyof typeof REASONS) => {
    const res = await client(f).get(`/v1/jobs/${jobs[key]}`);
    assert.equal(res.status, 200);
    return ((await res.json()) as { params: { reason: string | null } }).params.reason;
  };

  it('keeps a reason about 张三丰 and clears those naming 张三 in running text, alone or beside 张三丰', async () => {
    assert.equal(await reasonOf('other'), REASONS.other);
    assert.equal(await reasonOf('own'), null);
    assert.equal(await reasonOf('both'), null);
  });

  it('clears a reason where 张三 runs into a name the bank does not know (the safe side)', async () => {
    assert.equal(await reasonOf('stranger'), null);
  });

  it('matches a spaced script’s name as a whole word: Li Nan’s reason stays, Li Na’s goes', async () => {
    assert.equal(await reasonOf('otherLatin'), REASONS.otherLatin);
    assert.equal(await reasonOf('ownLatin'), null);
  });

  it('takes Korean and Japanese as Chinese is taken: 김민이 and さくらさん name them, 김민수’s reason stays', async () => {
    assert.equal(await reasonOf('ownKorean'), null);
    assert.equal(await reasonOf('ownJapanese'), null);
    assert.equal(await reasonOf('otherKorean'), REASONS.otherKorean);
  });

  it('counts the texts kept though an erased name stood within another customer’s, in the run’s record', async () => {
    const counted = await retentionRunCount(f.db.db, 'bank-a', 'namesWithinOthers');
    // The reasons about 张三丰 and 김민수 (Li Nan's is no match: a whole word).
    assert.equal(counted, 2);
  });
});
