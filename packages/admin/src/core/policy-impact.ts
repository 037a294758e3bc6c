import type { HttpTierkitClient } from '@tierkit/client';
import type { Job, PolicyDiff, VersionSimulations } from '@tierkit/core/wire';
import { Jobs } from './jobs.js';
import { KitStore, type KitError, type Status } from './kit-store.js';

/**
 * What the approver of a submitted policy version is shown beside it: the diff against the version
 * in force (null for a scheme with none) and its simulations (`GET …/simulations`: the latest
 * finished, whether the book changed since, one running), and a simulation they start from here.
 */
export interface PolicyImpactState {
  readonly status: Status;
  readonly error: KitError | undefined;
  readonly diff: PolicyDiff | null | undefined;
  /** Null when not read: internal audit reads the diff, never a simulation's outcome (403 for it). */
  readonly simulations: VersionSimulations | null | undefined;
  /** The simulation followed live (started here, or found running), until it ends. */
  readonly running: Job | undefined;
  readonly starting: boolean;
  readonly startError: KitError | undefined;
}

const enc = encodeURIComponent;

type Client = ConstructorParameters<typeof Jobs>[0] & Pick<HttpTierkitClient, 'http' | 'invalidate'>;

/**
 * One submitted version's diff and impact, for its card on the approvals page. A simulation is a job
 * anyone who may simulate starts (analyst and up: an approver may); it is followed as the jobs page
 * follows a job, and the simulations read again when it ends.
 */
export class PolicyImpact extends KitStore<PolicyImpactState> {
  readonly #client: Client;
  readonly #base: string;
  readonly #jobs: Jobs;
  readonly #readSimulations: boolean;

  /** `simulations: false`: the diff alone, for a reader the API refuses simulations (an auditor). */
  constructor(
    client: Client,
    scheme: string,
    version: number,
    options: { readonly jobPollMs?: number; readonly simulations?: boolean } = {},
  ) {
    super({
      status: 'idle',
      error: undefined,
      diff: undefined,
      simulations: undefined,
      running: undefined,
      starting: false,
      startError: undefined,
    });
    this.#client = client;
    this.#base = `/v1/policies/${enc(scheme)}/versions/${version}`;
    this.#readSimulations = options.simulations ?? true;
    this.#jobs = new Jobs(client, options.jobPollMs === undefined ? {} : { pollMs: options.jobPollMs });
    this.#jobs.subscribe((js) => {
      const job = js.job;
      if (!job || job.id !== this.state.running?.id) return;
      this.set({ running: job });
      if (job.status !== 'running') void this.#afterRun();
    });
  }

  /** The diff and the simulations, read together; a running simulation is followed. */
  async load(): Promise<void> {
    this.set({ status: 'loading', error: undefined });
    const answer = await this.run(
      'load',
      async (signal) => {
        const http = this.#client.http;
        const diff = http.get<PolicyDiff>(`${this.#base}/diff`, { signal }).catch((e: unknown) => {
          // A scheme with no version in force has nothing to compare with: said as such, not as a failure.
          if (e && typeof e === 'object' && 'problem' in e && (e as { problem: { status: number } }).problem.status === 404) return null;
          throw e;
        });
        // Together, so an abort of one never leaves the other's rejection unheard (a page error).
        const simulations = this.#readSimulations ? http.get<VersionSimulations>(`${this.#base}/simulations`, { signal }) : null;
        const [d, sims] = await Promise.all([diff, simulations]);
        return { diff: d, simulations: sims };
      },
      (error) => this.set({ status: 'error', error }),
    );
    if (!answer) return;
    this.set({ status: 'ready', diff: answer.diff, simulations: answer.simulations });
    const running = answer.simulations?.running;
    if (running && running.id !== this.state.running?.id) {
      this.set({ running });
      void this.#jobs.follow(running.id);
    }
  }

  /** Run a simulation of the version on today's book (`POST …/simulations`) and follow it. */
  async simulate(): Promise<void> {
    this.set({ starting: true, startError: undefined });
    const job = await this.run(
      'simulate',
      (signal) => this.#client.http.send<Job>('POST', `${this.#base}/simulations`, {}, { signal, forget: ['/v1/jobs'] }),
      (startError) => this.set({ starting: false, startError }),
    );
    if (!job) return;
    this.set({ starting: false, running: job });
    void this.#jobs.follow(job.id);
  }

  async #afterRun(): Promise<void> {
    this.#jobs.stopFollowing();
    this.#client.invalidate(`${this.#base}/simulations`);
    await this.load();
    // Ended and read again: the card shows the latest finished one, or how this one ended short of it.
    if (this.state.running?.status === 'completed') this.set({ running: undefined });
  }

  /**
   * The simulation an approval names as shown (`simulationJobId`): the latest completed one, when it
   * is of the revision being approved — the API refuses one of an earlier revision (422
   * `simulation_of_earlier_revision`), and the card shows such figures as stale, not as what was weighed.
   */
  get shownSimulation(): string | undefined {
    const latest = this.state.simulations?.latest;
    return latest && latest.status === 'completed' && latest.simulation?.current !== false ? latest.id : undefined;
  }

  /** Stop reading and following (the card left the page); a simulation runs on. */
  override cancel(lane?: string): void {
    super.cancel(lane);
    if (lane === undefined) this.#jobs.stopFollowing();
  }
}
