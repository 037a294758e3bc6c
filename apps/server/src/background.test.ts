import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appendAudit } from '@tierkit/api';
import { connect, migrateToLatest } from '@tierkit/db';
import { anchorsForApi, backgroundFromEnv, startBackground } from './background.js';

const dir = mkdtempSync(join(tmpdir(), 'tierkit-background-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('audit anchoring in the server', () => {
  it('gives the API a reader of its anchors file that counts no line the operator accepted', async () => {
    assert.equal(anchorsForApi(backgroundFromEnv({}, 'sqlite')), undefined);
    const file = join(dir, 'accepted.jsonl');
    writeFileSync(
      file,
      `{"tenant":"bank","seq":1,"ha\n{"tenant":"bank","seq":1,"hash":"sha256:${'ab'.repeat(32)}","at":"2026-12-04T10:00:00Z"}\n`,
    );
    const env = { TIERKIT_AUDIT_ANCHOR_FILE: file, TIERKIT_WORKER: 'off', TIERKIT_SCHEDULE: 'off' };
    const plain = anchorsForApi(backgroundFromEnv(env, 'sqlite'));
    const accepting = anchorsForApi(backgroundFromEnv({ ...env, TIERKIT_AUDIT_ANCHOR_ACCEPTED_LINES: '1' }, 'sqlite'));
    assert.deepEqual([(await plain?.('bank'))?.malformed, (await accepting?.('bank'))?.malformed], [1, 0]);
    assert.equal((await accepting?.('bank'))?.anchors.length, 1);
  });

  it('is off unless TIERKIT_AUDIT_ANCHOR_FILE names a file; with it, the start anchors every chain and stop waits for the pass', async () => {
    assert.equal(backgroundFromEnv({}, 'sqlite').anchors, null);
    assert.throws(() => backgroundFromEnv({ TIERKIT_AUDIT_ANCHOR_MINUTES: '5' }, 'sqlite'), /TIERKIT_AUDIT_ANCHOR_FILE is not/);
    const file = join(dir, 'anchors.jsonl');
    const settings = backgroundFromEnv({ TIERKIT_AUDIT_ANCHOR_FILE: file, TIERKIT_WORKER: 'off', TIERKIT_SCHEDULE: 'off' }, 'sqlite');
    assert.deepEqual(settings.anchors, { file, minutes: 15 });

    const db = connect({ url: join(dir, 'server.db') });
    await migrateToLatest(db.db);
    for (const chain of ['bank', '*'])
      await appendAudit(db.db, chain, {
        at: '2026-12-04T10:00:00.000Z',
        request_id: `req-${chain}`,
        phase: 'request',
        actor: 'anonymous',
        credential: 'none',
        method: 'GET',
        route: '/v1/schemes',
        target: '{}',
        status: 401,
        problem: 'unauthorized',
        unmasked: 0,
      });
    const log: string[] = [];
    const started = startBackground(db, settings, (l) => log.push(l));
    await started.stop();
    await db.close();
    assert.deepEqual(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => [JSON.parse(l).tenant, JSON.parse(l).seq]),
      [
        ['*', 1],
        ['bank', 1],
      ],
    );
    assert.ok(log.includes(`audit anchors: heads that moved appended to ${file} every 15 min`), log.join('\n'));
  });
});
