// Runs on a worker thread (see preparer.ts): prepares re-tier chunks on a read connection of its own.
import { parentPort, workerData } from 'node:worker_threads';
import { connect } from '@tierkit/db';
import { TenantPacks } from '../tenant-pack.js';
import { prepareRetierChunk } from './retier-chunk.js';
import type { PrepareReply, PrepareRequest } from './preparer.js';
import { utf8Rows } from './utf8-rows.js';

const port = parentPort;
if (!port) throw new Error('prepare-thread.ts runs as a worker thread');
const { db } = connect({ url: (workerData as { file: string }).file });
// Asked for every chunk (one small query, inside the chunk's snapshot); compiled once per set of
// versions, per calendar the writer asks in (one in practice).
const packsByZone = new Map<string, TenantPacks>();
function packsIn(timeZone: string): TenantPacks {
  let packs = packsByZone.get(timeZone);
  if (!packs) packsByZone.set(timeZone, (packs = new TenantPacks(0, undefined, timeZone)));
  return packs;
}

port.on('message', (msg: PrepareRequest | 'stop') => {
  if (msg === 'stop') {
    void db.destroy().finally(() => port.close());
    return;
  }
  void prepare(msg).then(({ reply, transfer }) => port.postMessage(reply, transfer));
});
port.postMessage('ready');

async function prepare(req: PrepareRequest): Promise<{ reply: PrepareReply; transfer: ArrayBuffer[] }> {
  try {
    // One read transaction: every read of the chunk, the pack included, sees one snapshot. Read only,
    // so it begins deferred and holds no write lock back from the writer meanwhile (connect.ts).
    const { prepared, fingerprint } = await db
      .transaction()
      .setAccessMode('read only')
      .execute(async (trx) => {
        const tp = await packsIn(req.timeZone).get(trx, req.tenantId);
        const chunk = await prepareRetierChunk(trx, tp, req.params, req.range, new Date(req.now), req.actor, req.share);
        return { prepared: chunk, fingerprint: tp.fingerprint };
      });
    if (!prepared) return { reply: { id: req.id, prepared: null, fingerprint }, transfer: [] };
    const { rows, buffer } = utf8Rows(prepared.rows);
    // The writer holds its own packs (cached): it stores this only under the same versions.
    return { reply: { id: req.id, prepared: { ...prepared, rows }, fingerprint }, transfer: [buffer] };
  } catch (err) {
    return { reply: { id: req.id, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }, transfer: [] };
  }
}
