import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BookAssignment, type BookMovesState, BookMoves, bookMover, bookSpells } from '@tierkit/admin';
import { mintStaffToken } from '@tierkit/api';
import { createClient } from '@tierkit/client';
import { NOW } from '../support/api-fixture.js';
import { type KitFixture, kitFixture } from './kit-fixture.js';

/**
 * A client signed in as staff `who` whose every request's path is recorded, and whose answer to a path
 * `hold` matches waits for the promise it returns (null: answered at once).
 */
async function watched(f: KitFixture, who: string, hold: (path: string) => Promise<void> | null = () => null) {
  const token = (await mintStaffToken(f.db.db, { tenantId: 'bank-a', staffId: who, now: NOW })).token;
  const paths: string[] = [];
  const client = createClient({
    baseUrl: 'http://tierkit.test',
    token: () => token,
    fetch: async (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      const path = url.pathname + url.search;
      paths.push(path);
      const res = await f.app.request(input instanceof Request ? input : String(input), init);
      await hold(path);
      return res;
    },
  });
  return { client, paths };
}

describe('BookMoves against the real API', () => {
  const f = kitFixture();

  it('a compliance officer reads who held a customer, newest first, staff by name; a move made through the kit shows on refresh', async () => {
    const client = f.client('OFF1');
    const m = new BookMoves(client);
    await m.open('K06');
    assert.equal(m.state.status, 'ready');
    assert.deepEqual(
      m.state.moves.map((x) => [x.from, x.to, x.recorded]),
      [[null, 'RM1', true]],
    );
    assert.match(m.state.moves[0]?.actor ?? '', /^key:/, 'the fixture moved it with the admin key');
    assert.equal(m.state.empty, false);
    assert.equal(m.state.more, false);
    assert.deepEqual(m.state.names, { RM1: 'RM1 经理' }, 'only the staff the moves name');

    const a = new BookAssignment(client);
    await a.open('K06');
    await a.assign('RM2');
    assert.equal(a.state.saved, 'RM2');
    await m.open('K06');
    assert.deepEqual(
      m.state.moves.map((x) => [x.from, x.to, x.actor]),
      [
        ['RM1', 'RM2', 'staff:OFF1'],
        [null, 'RM1', m.state.moves[1]?.actor],
      ],
      'the assignment made through the same client is read, not the cached answer',
    );
    assert.deepEqual(m.state.names, { RM1: 'RM1 经理', RM2: 'RM2 经理', OFF1: 'OFF1 经理' }, 'the mover by name too');
    const spells = bookSpells(m.state.moves);
    assert.deepEqual(
      spells.map((s) => [s.manager, s.since, s.until]),
      [
        ['RM2', m.state.moves[0]?.at, null],
        ['RM1', m.state.moves[1]?.at, m.state.moves[0]?.at],
      ],
    );

    // A move made elsewhere (the bank's feed): refresh reads past the client's cache.
    const res = await f.app.request('/v1/subjects/K06/manager', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ manager: null }),
    });
    assert.equal(res.status, 200);
    await m.refresh();
    assert.deepEqual(m.state.moves[0] && [m.state.moves[0].from, m.state.moves[0].to], ['RM2', null]);
  });

  it('a refresh keeps the moves shown until the new ones replace them, and says it is refreshing, not loading', async () => {
    const m = new BookMoves(f.client('OFF1'));
    await m.open('K04');
    assert.deepEqual(
      m.state.moves.map((x) => x.to),
      ['RM1'],
    );
    const res = await f.app.request('/v1/subjects/K04/manager', {
      method: 'PUT',
      headers: { Authorization: `Bearer ${f.adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ manager: 'RM2' }),
    });
    assert.equal(res.status, 200);
    const seen: BookMovesState[] = [];
    m.subscribe((s) => seen.push(s));
    await m.refresh();
    assert.deepEqual(
      m.state.moves.map((x) => x.to),
      ['RM2', 'RM1'],
    );
    assert.equal(m.state.refreshing, false);
    assert.ok(
      seen.some((s) => s.refreshing),
      'refreshing while the moves are read again',
    );
    assert.deepEqual(
      seen.filter((s) => s.status !== 'ready' || s.moves.length === 0),
      [],
      'never back to loading, never an empty list',
    );
  });

  it('a customer never in a book is empty; a limit says older moves may exist', async () => {
    const m = new BookMoves(f.client('OFF1'));
    await m.open('K10');
    assert.equal(m.state.status, 'ready');
    assert.equal(m.state.empty, true);
    assert.deepEqual(m.state.moves, []);
    const one = new BookMoves(f.client('OFF1'), { limit: 1 });
    await one.open('K06');
    assert.equal(one.state.moves.length, 1);
    assert.equal(one.state.more, true);
  });

  it('the RM a customer left gets the API’s 404 as notFound; its RM now reads it', async () => {
    const off = new BookAssignment(f.client('OFF1'));
    await off.open('K05');
    await off.assign('RM2');
    const rm1 = new BookMoves(f.client('RM1'));
    await rm1.open('K05');
    assert.equal(rm1.state.status, 'error');
    assert.equal(rm1.state.notFound, true);
    assert.equal(rm1.state.error?.status, 404);
    const rm2 = new BookMoves(f.client('RM2'));
    await rm2.open('K05');
    assert.equal(rm2.state.status, 'ready');
    assert.deepEqual(
      rm2.state.moves.map((x) => x.to),
      ['RM2', 'RM1'],
    );
    assert.equal(rm2.state.names.RM1, 'RM1 经理', 'an RM’s token may read the staff list: names, not ids');
    await rm1.open('K01');
    assert.equal(rm1.state.status, 'ready', 'the next open starts clean');
    assert.equal(rm1.state.notFound, false);
  });

  it('the upgrade’s row has no known start: since is null, until still the next move', () => {
    const spells = bookSpells([
      { from: 'RM1', to: 'RM2', at: '2025-11-02T00:00:00Z', actor: 'staff:OFF1', recorded: true },
      { from: null, to: 'RM1', at: '2025-03-01T00:00:00Z', actor: 'system:upgrade', recorded: false },
    ]);
    assert.deepEqual(
      spells.map((s) => [s.manager, s.since, s.until]),
      [
        ['RM2', '2025-11-02T00:00:00Z', null],
        ['RM1', null, '2025-11-02T00:00:00Z'],
      ],
    );
  });

  it('every kind of mover the API writes is read by its prefix; any other is unknown, kept whole', () => {
    assert.deepEqual(
      ['staff:RM1', 'key:k_1', 'system:demo-seed', 'cli:ops1', 'token:embed:K01', 'feed:nightly', 'plain', ':x'].map(bookMover),
      [
        { kind: 'staff', id: 'RM1' },
        { kind: 'key', id: 'k_1' },
        { kind: 'system', id: 'demo-seed' },
        { kind: 'cli', id: 'ops1' },
        { kind: 'token', id: 'embed:K01' },
        { kind: 'unknown', id: 'feed:nightly' },
        { kind: 'unknown', id: 'plain' },
        { kind: 'unknown', id: ':x' },
      ],
    );
  });

  it('a chain that breaks (a move not from the book the one before left it in) marks the gap', () => {
    const spells = bookSpells([
      { from: 'RM3', to: 'RM2', at: '2025-12-01T00:00:00Z', actor: 'staff:OFF1', recorded: true },
      { from: 'RM2', to: 'RM1', at: '2025-11-01T00:00:00Z', actor: 'staff:OFF1', recorded: true },
      { from: null, to: 'RM2', at: '2025-10-01T00:00:00Z', actor: 'staff:OFF1', recorded: true },
    ]);
    assert.deepEqual(
      spells.map((s) => [s.manager, s.gapAfter]),
      [
        ['RM2', false],
        ['RM1', true],
        ['RM2', false],
      ],
    );
  });

  it('a limit the API would refuse is refused at once, not sent', () => {
    const client = f.client('OFF1');
    for (const limit of [Number.NaN, 0, 101, 1.5, Number.POSITIVE_INFINITY])
      assert.throws(() => new BookMoves(client, { limit }), RangeError, String(limit));
    assert.doesNotThrow(() => new BookMoves(client, { limit: 100 }));
  });

  it('an RM’s open shows the moves at once, then names only the staff they name: no staff list read', async () => {
    let release = () => undefined as void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { client, paths } = await watched(f, 'RM2', (path) => (path.startsWith('/v1/staff/') ? held : null));
    const m = new BookMoves(client);
    const seen: BookMovesState[] = [];
    m.subscribe((s) => seen.push(s));
    const opened = m.open('K08');
    // The moves are on the screen while the names are still on their way.
    await new Promise<void>((resolve) => {
      const stop = m.subscribe((s) => {
        if (s.status === 'ready') {
          stop();
          resolve();
        }
      });
    });
    assert.deepEqual(
      m.state.moves.map((x) => x.to),
      ['RM2'],
    );
    assert.deepEqual(m.state.names, {}, 'ids until the names come');
    release();
    await opened;
    assert.deepEqual(m.state.names, { RM2: 'RM2 经理' });
    assert.deepEqual(
      paths.filter((p) => p.startsWith('/v1/staff')),
      ['/v1/staff/RM2'],
      'one read per staff id the moves name, never GET /v1/staff',
    );
    // A second customer naming the same staff asks nobody again.
    await m.open('K09');
    assert.deepEqual(m.state.names, { RM2: 'RM2 经理' });
    assert.deepEqual(
      paths.filter((p) => p.startsWith('/v1/staff')),
      ['/v1/staff/RM2'],
    );
    assert.ok(seen.every((s) => s.status !== 'error'));
  });

  it('a staff member that cannot be read stays an id; the moves are not failed', async () => {
    const { client } = await watched(f, 'OFF1', (path) => (path === '/v1/staff/RM1' ? Promise.reject(new Error('offline')) : null));
    const m = new BookMoves(client);
    await m.open('K03');
    assert.equal(m.state.status, 'ready');
    assert.deepEqual(
      m.state.moves.map((x) => x.to),
      ['RM1'],
    );
    assert.deepEqual(m.state.names, {}, 'RM1 shown by id');
    assert.equal(m.state.error, undefined);
  });

  it('opening another customer cancels the one still loading: no state ever pairs the new customer with the old one’s moves', async () => {
    let k09Done = () => undefined as void;
    const k09 = new Promise<void>((resolve) => {
      k09Done = resolve;
    });
    // K01's answer is held until K09's open has finished: an open that did not cancel would write it last.
    const { client } = await watched(f, 'OFF1', (path) => (path.startsWith('/v1/subjects/K01/manager/moves') ? k09 : null));
    const m = new BookMoves(client);
    const seen: BookMovesState[] = [];
    m.subscribe((s) => seen.push(s));
    const first = m.open('K01');
    await m.open('K09');
    k09Done();
    await first;
    // Let the held answer reach the store, if anything still listens for it.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(m.state.subject, 'K09');
    assert.deepEqual(
      m.state.moves.map((x) => x.to),
      ['RM2'],
    );
    const wrong = seen.filter((s) => s.subject === 'K09' && s.moves.some((x) => x.to !== 'RM2'));
    assert.deepEqual(wrong, [], 'K09 shown with K01’s moves');
    assert.ok(seen.some((s) => s.subject === 'K09' && s.status === 'ready'));
  });
});
