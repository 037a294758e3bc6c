import {
  AUDIT_GENESIS,
  appendAuditRecord,
  auditRecordsAfter,
  findAuditHead,
  type AuditFields,
  type AuditRecordRow,
  type Executor,
} from '@tierkit/db';
import type { AuditProblem, AuditVerification } from '@tierkit/core';
import { contentHash } from './four-eyes.js';

/** The chain of requests whose credential named no tenant that could be trusted (missing, unknown, forged). */
export const UNAUTHENTICATED_CHAIN = '*';

/**
 * The hash of a record: over every column but the hash itself, as canonical JSON. A record without
 * `detail` hashes without the key, as every record did before the column existed, so those verify still.
 */
export function auditHash(row: Omit<AuditRecordRow, 'hash' | 'detail'> & { readonly detail?: string | null }): string {
  const { chain, seq, at, request_id, phase, actor, credential, method, route, target, status, problem, unmasked, prev_hash } = row;
  const detail = row.detail ?? null;
  return contentHash({
    chain,
    seq,
    at,
    request_id,
    phase,
    actor,
    credential,
    method,
    route,
    target,
    status,
    problem,
    unmasked,
    prev_hash,
    ...(detail !== null ? { detail } : {}),
  });
}

/** Append a record to `chain` (a tenant id, or `UNAUTHENTICATED_CHAIN`), sealed with its hash. */
export function appendAudit(db: Executor, chain: string, fields: AuditFields): Promise<AuditRecordRow> {
  return appendAuditRecord(db, chain, fields, (seq, prevHash) => auditHash({ chain, seq, prev_hash: prevHash, ...fields }));
}

// What a verification sends: one home, shared with the admin kit.
export type { AuditProblem, AuditVerification };

/** Problems reported at most: past the first few, more say nothing new. */
export const MAX_PROBLEMS = 100;
const PAGE = 1000;

/**
 * Walk a chain in seq order: each record must carry the next seq, match its own hash and name the
 * previous record's hash; the head row must anchor the last record (so a cut tail shows).
 */
export async function verifyAuditChain(db: Executor, chain: string): Promise<AuditVerification> {
  const problems: AuditProblem[] = [];
  const report = (p: AuditProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  let expected = 1;
  let prevHash = AUDIT_GENESIS;
  let records = 0;
  let last: AuditRecordRow | undefined;
  for (;;) {
    const rows = await auditRecordsAfter(db, chain, last?.seq ?? 0, PAGE);
    for (const row of rows) {
      records++;
      const gap = row.seq !== expected;
      if (gap) {
        const range = row.seq - 1 === expected ? `record ${expected} is` : `records ${expected}…${row.seq - 1} are`;
        report({ seq: expected, kind: 'missing', message: `${range} missing (deleted)` });
      }
      if (auditHash(row) !== row.hash) {
        report({
          seq: row.seq,
          kind: 'altered',
          message: `record ${row.seq} does not match its hash: edited, or moved from another position`,
        });
      } else if (!gap && row.prev_hash !== prevHash) {
        report({
          seq: row.seq,
          kind: 'broken-link',
          message: `record ${row.seq} does not follow record ${row.seq - 1}: records were removed, replaced or reordered`,
        });
      }
      prevHash = row.hash;
      expected = row.seq + 1;
      last = row;
    }
    if (rows.length < PAGE) break;
  }
  const head = (await findAuditHead(db, chain)) ?? null;
  const lastSeq = last?.seq ?? 0;
  if (head && head.seq > lastSeq) {
    report({
      seq: lastSeq + 1,
      kind: 'truncated',
      message: `the chain ends at record ${lastSeq} but its head anchors record ${head.seq}: records ${lastSeq + 1}…${head.seq} were cut`,
    });
  } else if ((head?.seq ?? 0) < lastSeq || (head && last && head.hash !== last.hash)) {
    report({
      seq: lastSeq,
      kind: 'head-mismatch',
      message: `the head anchors record ${head?.seq ?? 0} (${head?.hash ?? 'none'}), not the last record ${lastSeq}`,
    });
  }
  return { chain, ok: problems.length === 0, records, head: head ? { seq: head.seq, hash: head.hash } : null, problems };
}
