import type { HttpTierkitClient, StaffMember } from '@tierkit/client';
import { KitStore } from './kit-store.js';

/** One staff member (`GET /v1/staff/{id}`), through the client's cache and coalescing. */
export function readStaffMember(client: Pick<HttpTierkitClient, 'http'>, id: string, signal: AbortSignal): Promise<StaffMember> {
  return client.http.get<StaffMember>(`/v1/staff/${encodeURIComponent(id)}`, { signal });
}

/** Most staff pages read (100 each): a bank's staff, not an unbounded walk. */
const MAX_STAFF_PAGES = 20;

/**
 * Every staff member of the tenant, page by page. Always asked with the same query, so the stores
 * that need staff (reassignment's candidates, the names in a customer's book moves) share the
 * client's requests and cache.
 */
export async function readAllStaff(client: Pick<HttpTierkitClient, 'listStaff'>, signal: AbortSignal): Promise<StaffMember[]> {
  const out: StaffMember[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_STAFF_PAGES; page++) {
    const got = await client.listStaff({ limit: 100, signal, ...(cursor ? { cursor } : {}) });
    out.push(...got.items);
    if (got.nextCursor === null) break;
    cursor = got.nextCursor;
  }
  return out;
}

/** A staff member as screens name them: `王芳 · RM001` when the name is known, else the id alone. */
export function nameWithId(id: string, names: Readonly<Record<string, string>>): string {
  const name = names[id];
  return name ? `${name} · ${id}` : id;
}

/**
 * An actor as people read it: a staff member (`staff:RM001`) by name with the id; any other actor
 * (`key:…`, `system`, `job:…`) unchanged, for a page to word as it does.
 */
export function actorLabel(actor: string, names: Readonly<Record<string, string>>): string {
  return actor.startsWith('staff:') ? nameWithId(actor.slice('staff:'.length), names) : actor;
}

/** What {@link StaffNames} knows: staff id → name. */
export interface StaffNamesState {
  readonly names: Readonly<Record<string, string>>;
}

/**
 * The names of the staff a page shows (requesters, authors, deciders, auditors' actors), read as they
 * are needed: one `GET /v1/staff/{id}` per id never asked before — not the whole staff list, which a
 * relationship manager's page has no business walking — through the client's cache. One that cannot
 * be read (gone, or not the caller's to read) stays an id on the screen, asked no more.
 */
export class StaffNames extends KitStore<StaffNamesState> {
  readonly #client: Pick<HttpTierkitClient, 'http'>;
  readonly #asked = new Set<string>();
  #controller = new AbortController();

  constructor(client: Pick<HttpTierkitClient, 'http'>) {
    super({ names: {} });
    this.#client = client;
  }

  /**
   * Read the names of the staff among `actors` (`staff:RM001`) not asked yet; resolves when they are
   * in. Other actors (`system`, `key:…`, `job:…`) are no staff member's and are not asked about.
   */
  async need(actors: Iterable<string | null | undefined>): Promise<void> {
    const ids = new Set<string>();
    for (const a of actors) {
      const id = a?.startsWith('staff:') ? a.slice('staff:'.length) : '';
      if (id && !this.#asked.has(id)) ids.add(id);
    }
    if (!ids.size) return;
    for (const id of ids) this.#asked.add(id);
    const signal = this.#controller.signal;
    const read = await Promise.all(
      [...ids].map((id) =>
        readStaffMember(this.#client, id, signal).then(
          (s): [string, string] | undefined => [id, s.name],
          () => undefined,
        ),
      ),
    );
    const got = read.filter((r): r is [string, string] => r !== undefined);
    if (signal.aborted || !got.length) return;
    this.set((prev) => ({ names: { ...prev.names, ...Object.fromEntries(got) } }));
  }

  /** An actor by name with its id ({@link actorLabel}) as far as names are known now. */
  label(actor: string): string {
    return actorLabel(actor, this.state.names);
  }

  /** Forget every name (a sign-out: the next person may be of another tenant). */
  clear(): void {
    this.cancel();
    this.#asked.clear();
    this.set({ names: {} });
  }

  /** Stop the reads in flight; ids they were reading may be asked again. */
  override cancel(): void {
    super.cancel();
    this.#controller.abort();
    this.#controller = new AbortController();
    for (const id of this.#asked) if (!(id in this.state.names)) this.#asked.delete(id);
  }
}
