import {
  hasRole,
  isAuditor,
  isBookScoped,
  type KitError,
  kitError,
  nameWithId,
  readAllStaff,
  readPendingStaffGrants,
  readTeams,
  type StaffGrant,
  type Team,
  withdrawStaffGrant,
} from '@tierkit/admin';
import type { StaffMember } from '@tierkit/client';
import type { StaffRole, StaffScope } from '@tierkit/core';
import { html, LitElement, nothing } from 'lit';
import { client } from '../console-client.js';
import type { ConsolePage, PageContext } from '../page.js';
import { staffName } from '../staff-name.js';
import { powersText } from '../staff-powers.js';
import { formatInstant } from '../time.js';
import { whyFailed } from '../why-failed.js';
import { STAFF_WORDS } from './staff.words.js';

/**
 * The tenant's staff, its teams of books, and the grants of power waiting for a second admin (four eyes on staff powers:
 * packages/api/README.md, "Staff and books"). Its maker may withdraw a grant here; another admin
 * decides it on the approvals page, where it is one more item of the queue.
 */
export class StaffPage extends LitElement {
  static override properties = {
    ctx: { attribute: false },
    staff: { state: true },
    grants: { state: true },
    teams: { state: true },
    loading: { state: true },
    busy: { state: true },
    error: { state: true },
    outcome: { state: true },
  };

  declare ctx: PageContext | undefined;
  declare staff: readonly StaffMember[];
  declare grants: readonly StaffGrant[];
  declare teams: readonly Team[];
  declare loading: boolean;
  declare busy: boolean;
  declare error: KitError | undefined;
  declare outcome: string;

  readonly #abort = new AbortController();

  constructor() {
    super();
    this.staff = [];
    this.grants = [];
    this.teams = [];
    this.loading = true;
    this.busy = false;
    this.error = undefined;
    this.outcome = '';
  }

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#abort.abort();
  }

  async #load(): Promise<void> {
    this.loading = true;
    try {
      const [staff, grants, teams] = await Promise.all([
        readAllStaff(client, this.#abort.signal),
        readPendingStaffGrants(client, this.#abort.signal),
        readTeams(client, this.#abort.signal),
      ]);
      this.staff = staff;
      this.grants = grants;
      this.teams = teams;
      this.error = undefined;
    } catch (err) {
      if (!this.#abort.signal.aborted) this.error = kitError(err);
    } finally {
      this.loading = false;
    }
  }

  async #withdraw(g: StaffGrant): Promise<void> {
    if (this.busy || !this.ctx) return;
    this.busy = true;
    this.error = undefined;
    const w = STAFF_WORDS[this.ctx.locale];
    try {
      await withdrawStaffGrant(client, g.id);
      this.grants = this.grants.filter((x) => x.id !== g.id);
      this.outcome = w.withdrawn(g.staff.name);
    } catch (err) {
      this.error = kitError(err);
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    // The row and its button are gone: focus the outcome, where the screen reader hears what happened.
    this.querySelector<HTMLElement>('[data-testid="staff-outcome"]')?.focus();
  }

  #grant(g: StaffGrant) {
    const locale = this.ctx?.locale ?? 'zh-CN';
    const w = STAFF_WORDS[locale];
    const from = g.staff.from;
    return html`<li class="staff-grant" data-grant=${g.id} aria-labelledby="grant-${g.id}-h">
      <h4 id="grant-${g.id}-h">${g.staff.name} · ${g.staff.id}</h4>
      <dl>
        <div><dt>${w.from}</dt><dd data-testid="grant-from">${from ? `${powersText(from, locale)}${from.disabled ? ` · ${w.disabled}` : ''}` : w.newMember}</dd></div>
        <div><dt>${w.to}</dt><dd data-testid="grant-to">${powersText(g.staff.to, locale)}</dd></div>
        <div><dt>${w.requestedBy}</dt><dd>${staffName(g.requestedBy)}</dd></div>
        <div><dt>${w.lapses}</dt><dd>${formatInstant(g.expiresAt, locale)}</dd></div>
      </dl>
      ${g.requestedByYou ? html`<p class="hint" data-testid="grant-yours">${w.yours}</p>` : nothing}
      ${g.approvalBlocked ? html`<p class="approvals-blocked" data-testid="grant-blocked">${w.blocked}</p>` : nothing}
      ${
        g.mayWithdraw
          ? html`<div class="actions"><button type="button" data-testid="withdraw-grant" aria-label=${w.withdrawOf(g.staff.name)} aria-disabled=${this.busy ? 'true' : 'false'} @click=${() => this.#withdraw(g)}>${w.withdraw}</button></div>`
          : nothing
      }
    </li>`;
  }

  /** The teams of books: each lead reads the team's books besides their own (changed by an admin over the API). */
  #teams() {
    if (this.loading || this.error) return nothing;
    const w = STAFF_WORDS[this.ctx?.locale ?? 'zh-CN'];
    const names = Object.fromEntries(this.staff.map((s) => [s.id, s.name]));
    return html`<h3 id="staff-teams-h">${w.teamsTitle}</h3>
      <p class="hint">${w.teamsHint}</p>
      ${
        this.teams.length
          ? html`<div class="staff-teams-scroll" role="region" tabindex="0" aria-labelledby="staff-teams-h">
            <table class="staff-table staff-teams" data-testid="staff-teams">
              <thead><tr><th scope="col">${w.teamId}</th><th scope="col">${w.teamName}</th><th scope="col">${w.teamLead}</th><th scope="col">${w.teamBooks}</th></tr></thead>
              <tbody>
                ${this.teams.map(
                  (t) => html`<tr data-team=${t.id}>
                    <td>${t.id}</td><td>${t.name}</td>
                    <td>${t.lead === null ? w.noLead : nameWithId(t.lead, names)}</td>
                    <td>${t.books.length ? t.books.map((b) => nameWithId(b, names)).join(w.listSeparator) : w.noBooks}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
          </div>`
          : html`<p class="hint" data-testid="staff-no-teams">${w.noTeams}</p>`
      }`;
  }

  override render() {
    if (!this.ctx) return nothing;
    const locale = this.ctx.locale;
    const w = STAFF_WORDS[locale];
    const status = this.loading ? w.loading : this.error ? `${w.failed}: ${whyFailed(this.error, locale)}` : '';
    return html`
      <section class="card staff" aria-labelledby="staff-h">
        <h2 id="staff-h">${w.title}</h2>
        <p class="hint">${w.hint}</p>
        <p role="status" class="hint" data-testid="staff-status">${status}</p>
        <h3 id="staff-grants-h">${w.pendingTitle}</h3>
        ${
          this.loading
            ? nothing
            : this.grants.length
              ? html`<ul class="staff-grants" aria-labelledby="staff-grants-h" data-testid="staff-grants">${this.grants.map((g) => this.#grant(g))}</ul>`
              : html`<p class="hint" data-testid="staff-no-grants">${w.noPending}</p>`
        }
        <p role="status" class="hint" data-testid="staff-outcome" tabindex="-1">${this.outcome}</p>
        <h3 id="staff-list-h">${w.staffTitle}</h3>
        ${
          this.staff.length
            ? html`<table class="staff-table" aria-labelledby="staff-list-h">
              <thead><tr><th scope="col">${w.id}</th><th scope="col">${w.name}</th><th scope="col">${w.role}</th></tr></thead>
              <tbody>
                ${this.staff.map(
                  (s) => html`<tr data-staff=${s.id}>
                    <td>${s.id}</td><td>${s.name}</td>
                    <td>${powersText({ role: s.role as StaffRole, scope: s.scope as StaffScope }, locale)}${s.disabledAt ? html` · ${w.disabledSince}` : nothing}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`
            : nothing
        }
        ${this.#teams()}
      </section>
    `;
  }
}

if (!customElements.get('admin-staff-page')) customElements.define('admin-staff-page', StaffPage);

/** Tenant-wide admins and internal audit: the grants are theirs to see (the API refuses everyone else). */
export const staffPage: ConsolePage = {
  id: 'staff',
  title: { 'zh-CN': '员工', 'zh-TW': '員工', en: 'Staff' },
  // Internal audit reads staff and pending grants; it withdraws none (only a grant's maker does).
  visible: (session) => (hasRole(session, 'admin') || isAuditor(session)) && !isBookScoped(session),
  render: (ctx) => html`<admin-staff-page data-page .ctx=${ctx}></admin-staff-page>`,
};
