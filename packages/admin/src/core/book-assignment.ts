import type { HttpTierkitClient, StaffMember } from '@tierkit/client';
import { KitStore, type KitError, type Status } from './kit-store.js';
import { readAllStaff } from './staff.js';

export interface BookAssignmentState {
  /** The subject (external id), undefined before `open`. */
  readonly subject: string | undefined;
  readonly status: Status;
  /** Whose book the subject is in; null: nobody's. */
  readonly manager: string | null;
  /** Who it may be moved to: the tenant's book-scoped staff (relationship managers) still working (the API refuses a disabled one's book), by id. */
  readonly candidates: readonly StaffMember[];
  readonly saving: boolean;
  /** The last reassignment's outcome: the manager it set, until the next `open` or `assign`. */
  readonly saved: string | null | undefined;
  readonly error: KitError | undefined;
}

type Client = Pick<HttpTierkitClient, 'getManager' | 'listStaff' | 'setManager'>;

/**
 * Reassignment of one subject to another relationship manager's book: whose it is, who it may go to,
 * and the move itself. Only for tenant-wide staff (`session.can.assignManagers`); the API refuses
 * anyone else, and the refusal lands in `error` like any other.
 */
export class BookAssignment extends KitStore<BookAssignmentState> {
  readonly #client: Client;

  constructor(client: Client) {
    super({ subject: undefined, status: 'idle', manager: null, candidates: [], saving: false, saved: undefined, error: undefined });
    this.#client = client;
  }

  /** Load the subject's manager and the candidates. */
  async open(subject: string): Promise<void> {
    this.cancel();
    this.set({ subject, status: 'loading', manager: null, saving: false, saved: undefined, error: undefined });
    const found = await this.run(
      'open',
      async (signal) => {
        const [m, staff] = await Promise.all([this.#client.getManager(subject, { signal }), readAllStaff(this.#client, signal)]);
        return { manager: m.manager, candidates: staff.filter((s) => s.scope === 'book' && !s.disabledAt) };
      },
      (error) => this.set({ status: 'error', error }),
    );
    if (found) this.set({ status: 'ready', ...found });
  }

  /** Move the subject to `manager`'s book (null: out of every book). */
  async assign(manager: string | null): Promise<void> {
    const { subject, status } = this.state;
    if (subject === undefined || status !== 'ready') return;
    this.set({ saving: true, saved: undefined, error: undefined });
    const done = await this.run(
      'assign',
      (signal) => this.#client.setManager(subject, manager, { signal }),
      (error) => this.set({ saving: false, error }),
    );
    if (done) this.set({ saving: false, manager: done.manager, saved: done.manager });
  }
}
