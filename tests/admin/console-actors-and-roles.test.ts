// Who did something, and who is signed in, as the console says them in each of its languages: a
// re-tier job is a job (never masked as if it were a person's name), the system and the CLI are what
// they are, and a role is a word of the reader's language — on an English screen no Chinese suffix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEY_ROLES, ROLES, STAFF_ROLES } from '@tierkit/api';
import { maskPerson } from '@tierkit/core/mask';
import { DEMO_SIGN_INS, DEMO_STAFF } from '@tierkit/ops';
import { actorWords } from '../../apps/admin/src/actor-words.js';
import { LOCALES, WORDS } from '../../apps/admin/src/words.js';

const CJK = /[\u3400-\u9fff\uff08\uff09]/;
const JOB = '3f6c1a2e-7b4d-4e8a-9c1f-2d5e6a7b8c9d';

describe('the console names actors as what they are', () => {
  it('a re-tier job is the job, whole, in every language; not masked as a person', () => {
    const said = Object.fromEntries(LOCALES.map((l) => [l, actorWords(`job:${JOB}`, l)]));
    assert.deepEqual(said, { 'zh-CN': `重评任务 #${JOB}`, 'zh-TW': `重評任務 #${JOB}`, en: `re-tier job #${JOB}` });
    for (const text of Object.values(said)) assert.doesNotMatch(text, /\*/, 'nothing masked');
    assert.notEqual(maskPerson(`job:${JOB}`), `job:${JOB}`, 'the masker would have hidden it');
  });

  it('the system (bare, as batch evaluation names it, or with what it did), the CLI, a key and a token', () => {
    assert.equal(actorWords('system', 'zh-CN'), '系统自动');
    assert.equal(actorWords('system', 'en'), 'the system');
    assert.equal(actorWords('system:schedule', 'zh-TW'), '系統（schedule）');
    assert.equal(actorWords('cli:ops1@host', 'en'), 'the command line (as ops1@host)');
    assert.equal(actorWords('key:k_1', 'zh-CN'), 'API 密钥 k_1');
    assert.equal(actorWords('token:embed:K01', 'en'), 'a token (embed:K01)');
    assert.equal(actorWords('feed:nightly', 'en'), 'an unrecognised mover, feed:nightly');
    for (const l of LOCALES) assert.doesNotMatch(actorWords('system', l), /（）|\(\)/, `${l}: no empty brackets`);
  });
});

describe('who is signed in, in the reader’s language', () => {
  it('every role has a label in every locale, and the English ones are English', () => {
    for (const l of LOCALES) for (const r of ROLES) assert.ok(WORDS[l].roles[r], `${l}: ${r}`);
    for (const r of ROLES) assert.doesNotMatch(WORDS.en.roles[r] ?? '', CJK, r);
    assert.deepEqual(
      ROLES.map((r) => WORDS.en.roles[r]),
      ['Viewer', 'Analyst', 'Officer', 'Approver', 'Administrator'],
    );
  });

  it('every key role, the embedder key too, has a label in every locale: the key list names it', () => {
    // An admin issues embedder keys over HTTP (POST /v1/keys); the key list showed the bare English word.
    for (const l of LOCALES) for (const r of KEY_ROLES) assert.ok(WORDS[l].roles[r], `${l}: ${r}`);
    assert.doesNotMatch(WORDS.en.roles.embedder ?? '', CJK);
    assert.match(WORDS['zh-CN'].roles.embedder ?? '', CJK);
    assert.match(WORDS['zh-TW'].roles.embedder ?? '', CJK);
  });

  it('the demo staff’s names are names: no role suffix in Chinese for the header to repeat', () => {
    for (const s of DEMO_STAFF) assert.doesNotMatch(s.name, /[（(]/, s.id);
  });

  it('the demo has a sign-in for every role, internal audit too, each with its words in every locale', () => {
    const byId = new Map(DEMO_STAFF.map((s) => [s.id, s]));
    const roles = new Set(Object.values(DEMO_SIGN_INS).map((id) => byId.get(id)?.role));
    // An auditor is tenant-wide or refused every route: a book-scoped demo one would sign in to nothing.
    assert.equal(byId.get(DEMO_SIGN_INS.auditor)?.scope, 'tenant');
    assert.deepEqual(
      [...STAFF_ROLES].filter((r) => !roles.has(r)),
      [],
      'a role without a console to see',
    );
    const words = {
      maker: 'asMaker',
      checker: 'asChecker',
      rm: 'asRm',
      analyst: 'asAnalyst',
      viewer: 'asViewer',
      admin: 'asAdmin',
      auditor: 'asAuditor',
      lead: 'asLead',
    } as const;
    assert.deepEqual(Object.keys(DEMO_SIGN_INS).sort(), Object.keys(words).sort());
    for (const l of LOCALES) for (const k of Object.values(words)) assert.ok(WORDS[l][k], `${l}: ${k}`);
  });
});
