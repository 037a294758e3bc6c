import { createApiKey, mintEmbedToken } from '@tierkit/api';
import { openDatabase, seedIfNeeded, serverApp } from '/work/wt/read-speed/apps/server/src/server.js';
const file = '/tmp/rs/p.db';
const db = await openDatabase(file);
await seedIfNeeded(db, { tenant: 'demo', customers: 1000 }, () => undefined);
const { secret } = await createApiKey(db.db, { tenantId: 'demo', role: 'viewer', label: 'p' });
const app = serverApp(db, { tenant: 'demo', corsOrigins: undefined, demoTokens: false });
const route = process.argv[2] ?? 'tiers';
const q = process.argv[3] ?? '';
const h = { Authorization: `Bearer ${secret}` };
let bytes = 0;
for (let i = 0; i < 1000; i++) await (await app.fetch(new Request(`http://x/v1/subjects/C${String(1 + (i % 1000)).padStart(6, '0')}/${route}${q}`, { headers: h }))).text();
const t = performance.now();
const N = 3000;
for (let i = 0; i < N; i++) { const r = await app.fetch(new Request(`http://x/v1/subjects/C${String(1 + (i * 7 % 1000)).padStart(6, '0')}/${route}${q}`, { headers: h })); bytes += (await r.text()).length; }
console.log(route, q, ((performance.now() - t) / N).toFixed(3), 'ms/req', Math.round(bytes / N), 'bytes');
await db.close();
