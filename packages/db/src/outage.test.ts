import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { connect } from './connect.js';
import { watchOutage } from './outage.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-outage-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const reset = () => Object.assign(new Error('Connection terminated unexpectedly'), { code: undefined });
const until = async (done: () => boolean) => {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
};

it('a probe refused for another reason (too many clients) keeps probing until the database answers', async () => {
  const d = connect({ url: join(dir, 'refused.db') });
  let refusals = 3;
  // The database back but refusing sessions a while (53300): not yet its answer.
  const db = d.db.withPlugin({
    transformQuery: ({ node }) => {
      if (refusals > 0) {
        refusals--;
        throw Object.assign(new Error('sorry, too many clients already'), { code: '53300' });
      }
      return node;
    },
    async transformResult({ result }) {
      return result;
    },
  });
  const lines: string[] = [];
  const watch = watchOutage(db, (l) => lines.push(l), 30);
  assert.equal(watch.failed(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), true);
  await until(() => !watch.down);
  assert.equal(refusals, 0);
  assert.equal(watch.down, false, 'reachable again once the refusals end');
  assert.equal(lines.length, 2, `the outage lasted more than one probe: no stack. ${lines.join(' | ')}`);
  assert.match(lines[1] ?? '', /^database reachable again after 0 s$/);
  await d.close();
});

it('a session cut that "recovers" at the first probe logs the error that began it, with its stack', async () => {
  const d = connect({ url: join(dir, 'killed.db') });
  const lines: string[] = [];
  const watch = watchOutage(d.db, (l) => lines.push(l), 30);
  const err = reset();
  assert.equal(watch.failed(err), true);
  await until(() => !watch.down);
  assert.equal(lines.length, 3, lines.join(' | '));
  assert.match(lines[1] ?? '', /^database reachable again after 0 s$/);
  assert.ok(lines[2]?.startsWith(`the error that began it: ${err.stack}`));
  await d.close();
});
