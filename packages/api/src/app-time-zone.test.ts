import assert from 'node:assert/strict';
import { it } from 'node:test';
import { connect, migrateToLatest } from '@tierkit/db';
import { createApiKey, provisionTenant } from './index.js';
import { createApp } from './app.js';

it("the app counts in the bank's calendar it is given, says which, and refuses a zone the runtime does not know", async () => {
  const { db } = connect({ url: ':memory:' });
  try {
    await migrateToLatest(db);
    await provisionTenant(db, { id: 't1', name: 'Bank' });
    const { secret } = await createApiKey(db, { tenantId: 't1', role: 'viewer', label: 'console' });
    const app = createApp({ db, timeZone: 'Asia/Taipei' });
    const res = await app.request('/v1/session', { headers: { Authorization: `Bearer ${secret}` } });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { timeZone: string }).timeZone, 'Asia/Taipei');
    assert.throws(() => createApp({ db, timeZone: 'Asia/Taipai' }), /IANA time zone.*Asia\/Taipai/);
  } finally {
    await db.destroy();
  }
});
