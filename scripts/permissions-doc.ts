// Regenerates docs/permissions.md from the route table and the app's OpenAPI document.
// Run: npm run permissions-doc (tests/api/permissions.test.ts fails while the file is out of date).
import { writeFileSync } from 'node:fs';
import { createApp, permissionsMarkdown, routeTable } from '@tierkit/api';
import { connect } from '@tierkit/db';

const { db, close } = connect({ url: ':memory:' });
const app = createApp({ db });
const document = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, unknown> };
const target = new URL('../docs/permissions.md', import.meta.url);
writeFileSync(target, permissionsMarkdown(routeTable(document)));
await close();
console.log(`wrote ${target.pathname}`);
