import { LitElement, html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import type { MatrixResponse, TiersResponse } from '@tierkit/core';
import { LocalizeController } from '../common/localize.js';
import { ResourceController, blockRefusal } from '../common/resource.js';
import { StateVoice } from '../common/state-voice.js';
import { renderEmpty, renderLoading, renderResource, type ResourceViews } from '../common/states.js';
import { blockStateTerms } from '../common/block-terms.js';
import { formatCount } from '../common/format.js';
import { matrixStyles } from './risk-value-matrix.styles.js';
import { matrixTerms, type MatrixTerms } from './risk-value-matrix.terms.js';
import { gridKeyAction, type GridPosition } from './grid-navigation.js';
import { TkCellSelectEvent } from './cell-select-event.js';
import { matrixAssignment, portfolioGrid, subjectGrid, type GridCell, type GridModel } from './matrix-model.js';
import { levelName, schemeName, schemesOfTiers, type SchemeMap } from '../common/level-names.js';

/** What the matrix draws: the grid and the level names of its schemes. */
interface MatrixView {
  readonly grid: GridModel;
  readonly schemes: SchemeMap | undefined;
}

/** Portfolio counts per cell, or the position of one subject. */
export const MATRIX_MODES = ['portfolio', 'subject'] as const;
export type MatrixMode = (typeof MATRIX_MODES)[number];

/** Tone → level colour token, so the bank's palette (`--tk-level-*`) colours the matrix too. */
const TONE_COLOR = { good: 'success', neutral: 'neutral', caution: 'caution', bad: 'danger' } as const;

/** Whether `p` is the cell's position. */
const at = (p: GridPosition | null, cell: GridCell) => p?.row === cell.rowIndex && p.col === cell.colIndex;

/**
 * The risk × value grid (九宫格) of a matrix scheme: counts per cell for a portfolio, or the cell of
 * one subject. Every cell names its segment, action and signal in words, so colour is never the
 * only cue; the grid is an ARIA grid (arrows, Home/End, Ctrl+Home/End, Enter/Space), and a checkbox
 * switches to a plain table of the same numbers.
 *
 * Connected: inside `<tk-provider>`, portfolio mode reads `getMatrix(scheme)` plus the two axis
 * schemes; subject mode reads the subject's tiers (shared with the badge). Controlled: set `data`
 * to a `MatrixResponse` (portfolio) or a `TiersResponse` (subject), and `schemes` for level names.
 *
 * @summary A risk-value matrix with counts per cell or one customer's position.
 *
 * @csspart base - The wrapper of the whole widget.
 * @csspart title - The heading above the grid.
 * @csspart view-toggle - The "show as table" checkbox.
 * @csspart grid - The interactive grid (a table with role grid).
 * @csspart cell - A data cell; selected cells also carry `cell-selected`, the subject's `cell-current`, a portfolio's
 *   cell of no customers `cell-empty` (drawn muted).
 * @csspart cell-selected - The selected cell (with `cell`).
 * @csspart cell-current - The subject's cell (with `cell`).
 * @csspart cell-empty - A portfolio's cell of no customers (with `cell`).
 * @csspart count - A cell's count of customers.
 * @csspart tone - A cell's signal chip (关注, Caution…); its corners follow `--tk-chip-radius`.
 * @csspart table - The plain table view.
 * @csspart total - The portfolio total under the grid.
 * @cssstate loading - A read runs and there is nothing to show yet (the frame is `aria-busy`).
 * @cssstate empty - Nothing to show, or no customer.
 * @cssstate error - The read failed (with a retry) or was refused (`data-reason`, no retry).
 * @csspart loading - The loading state.
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart retry - The error state's retry button.
 *
 * @cssproperty --tk-risk-value-matrix-cell-min-height - Height of a cell (default 5.5rem).
 * @cssproperty --tk-risk-value-matrix-gap - Space between cells (default 4px).
 * @cssproperty --tk-risk-value-matrix-selected-color - Border of the selected cell (default `--tk-color-accent`).
 *
 * @event tk-cell-select - A cell was selected; carries `scheme`, `row`, `col`, `level`, `count` and `filter`.
 * @event tk-load - Connected data arrived.
 * @event tk-error - Connected data failed to load. A network error or a 5xx shows an error with a retry button; a
 *   refusal shows none (`[part~=error][data-reason]`: `signed-out` 401, `forbidden` 403, `not-found` an unknown
 *   customer, `scheme-not-found` a matrix scheme the tenant does not have, `unavailable` any other 404).
 */
export class TkRiskValueMatrix extends LitElement {
  static override styles = matrixStyles;

  /*
   * `static properties` with `declare`d fields and defaults set in the constructor: no decorators and
   * no class fields over Lit's accessors, so the class behaves the same whatever a host's compiler does
   * with `useDefineForClassFields` or decorators (one style for every element; see the README).
   */
  static override properties = {
    scheme: { reflect: true },
    subject: { reflect: true },
    mode: { reflect: true },
    tableView: { type: Boolean, reflect: true, attribute: 'table-view' },
    data: { attribute: false },
    schemes: { attribute: false },
    filter: { attribute: false },
    focusPos: { state: true },
    selectedPos: { state: true },
  };

  /** The matrix scheme to draw. */
  declare scheme: string;
  /** The subject whose cell to highlight; when unset or empty, the provider's subject. */
  declare subject: string | undefined;
  /** `portfolio` or `subject`; unset means subject when a subject is known, else portfolio. */
  declare mode: MatrixMode | undefined;
  /** Shows the plain table view instead of the grid. */
  declare tableView: boolean;
  /** Controlled data: a `MatrixResponse` (portfolio) or a `TiersResponse` (subject). */
  declare data: MatrixResponse | TiersResponse | undefined;
  /** Level names of the row, column and matrix schemes for controlled portfolio data. */
  declare schemes: SchemeMap | undefined;
  /** Portfolio filter passed to `getMatrix` (`{ rm: 'E1024' }`). */
  declare filter: Readonly<Record<string, string>> | undefined;
  declare private focusPos: GridPosition | null;
  declare private selectedPos: GridPosition | null;

  constructor() {
    super();
    this.scheme = 'risk-value';
    this.tableView = false;
    this.focusPos = null;
    this.selectedPos = null;
  }

  // One context request for the provider's client, subject and locale.
  readonly #localize = new LocalizeController(this);

  readonly #portfolio = new ResourceController(this, {
    name: 'matrix',
    args: () => {
      const client = this.#client;
      return !this.data && client && this.effectiveMode === 'portfolio' ? ([client, this.scheme, this.filter] as const) : undefined;
    },
    load: ([client, scheme, filter], signal) => client.getMatrix(scheme, filter ? { filter, signal } : { signal }),
    data: () => (this.data && 'def' in this.data ? this.data : undefined),
  });

  readonly #tiers = new ResourceController(this, {
    name: 'tiers',
    args: () => {
      const id = this.#subjectId;
      const client = this.#client;
      return !this.data && client && id && this.effectiveMode === 'subject' ? ([client, id] as const) : undefined;
    },
    load: ([client, id], signal) => client.getTiers(id, { signal }),
    data: () => (this.data && 'assignments' in this.data ? this.data : undefined),
  });

  /**
   * Axis level names for a connected portfolio. The grid needs them (renderResource's `needs`): a
   * failure is the matrix's error, whose retry reads them again, rather than a grid of level keys.
   */
  readonly #axisSchemes = new ResourceController(this, {
    name: 'scheme',
    args: () => {
      const def = this.#portfolio.value?.def;
      const client = this.#client;
      return !this.data && client && def && this.effectiveMode === 'portfolio'
        ? ([client, def.rowScheme, def.colScheme, def.scheme] as const)
        : undefined;
    },
    load: async ([client, ...keys], signal) => {
      const found = await Promise.all(keys.map((k) => client.getScheme(k, { signal })));
      return Object.fromEntries(found.map((s) => [s.key, s])) as SchemeMap;
    },
  });

  // Never read: the controller does its work in the host's update cycle, which it joined when made.
  // biome-ignore lint/correctness/noUnusedPrivateClassMembers: held so the controller is made with the host
  readonly #state = new StateVoice(this);

  /** The mode in effect: controlled data decides, then the attribute, then whether a subject is known. */
  get effectiveMode(): MatrixMode {
    if (this.data) return 'assignments' in this.data ? 'subject' : 'portfolio';
    return this.mode ?? (this.#subjectId ? 'subject' : 'portfolio');
  }

  /** `||`, like the badge: an empty `subject=""` attribute means the provider's subject. */
  get #subjectId(): string | undefined {
    return this.subject || this.#localize.value?.subject;
  }

  get #client() {
    return this.#localize.value?.client;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('data') || changed.has('scheme') || changed.has('mode')) {
      this.selectedPos = null;
      this.focusPos = null;
    }
  }

  get #resource() {
    return this.effectiveMode === 'portfolio' ? this.#portfolio : this.#tiers;
  }

  #model(): MatrixView | 'no-position' | undefined {
    if (this.effectiveMode === 'portfolio') {
      const agg = this.#portfolio.value;
      return agg && { grid: portfolioGrid(agg), schemes: this.schemes ?? this.#axisSchemes.value };
    }
    const tiers = this.#tiers.value;
    if (!tiers) return undefined;
    const a = matrixAssignment(tiers, this.scheme);
    if (!a?.matrix) return 'no-position';
    return { grid: subjectGrid(a.matrix, a.level), schemes: { ...schemesOfTiers(tiers), ...this.schemes } };
  }

  protected override render(): TemplateResult {
    const t = this.#localize.terms(matrixTerms, 'matrix');
    const st = this.#localize.terms(blockStateTerms, 'states');
    const res = this.#resource;
    // A failed read drops its value, so an earlier grid (another subject, another filter) is never drawn under the error.
    // Nor a grid whose axis names are on their way or failed for now (loading, or the error with its
    // retry, below); names refused for good (a 404) leave the keys (states.ts, `needs`).
    const axis = this.#axisSchemes;
    const m =
      res.status !== 'error' && res.value && axis.status !== 'pending' && !(axis.status === 'error' && !blockRefusal(axis.error))
        ? this.#model()
        : undefined;
    const views: ResourceViews<unknown> = {
      title: this.#titleText(m, t),
      complete: () => {
        if (m === 'no-position') return renderEmpty(t.noPosition);
        if (m?.grid.def.rows.length && m.grid.def.cols.length) {
          return this.tableView ? this.#renderTable(m.grid, m.schemes, t) : this.#renderGrid(m.grid, m.schemes, t);
        }
        return renderEmpty(t.empty);
      },
      // A known subject waiting for the provider's client is loading, not "no customer selected".
      initial: () =>
        this.effectiveMode === 'subject'
          ? this.#subjectId && !this.data
            ? renderLoading(st)
            : renderEmpty(st.noSubject)
          : renderEmpty(t.empty),
    };
    // A portfolio names a scheme, not a customer: its refusals say so in the matrix's own words.
    const body =
      this.effectiveMode === 'portfolio'
        ? renderResource(
            this.#portfolio,
            { ...st, forbidden: t.portfolioForbidden, 'scheme-not-found': t.unknownScheme },
            {
              ...views,
              needs: [this.#axisSchemes],
            },
          )
        : renderResource(this.#tiers, { ...st, 'scheme-not-found': t.unknownScheme }, views);
    const ready = m !== undefined && m !== 'no-position';
    return html`<section part="base" aria-labelledby="title" aria-busy=${res.status === 'pending' || this.#axisSchemes.status === 'pending' ? 'true' : nothing}>
      <div class="head">
        <h2 part="title" class="title" id="title" tabindex="-1">${this.#titleText(m, t)}</h2>
        ${
          ready
            ? html`<label class="toggle"><input part="view-toggle" type="checkbox" .checked=${this.tableView}
          @change=${(e: Event) => {
            this.tableView = (e.target as HTMLInputElement).checked;
          }}>${t.showTable}</label>`
            : nothing
        }
      </div>
      ${body}
      ${
        ready && m.grid.total !== null
          ? html`<p part="total">${t.total(formatCount(m.grid.total, this.#localize.lang), m.grid.total)}</p>`
          : nothing
      }
    </section>`;
  }

  #titleText(m: MatrixView | 'no-position' | undefined, t: MatrixTerms): string {
    return m && m !== 'no-position' ? schemeName(m.schemes, m.grid.def.scheme, this.#localize.locale, t.title) : t.title;
  }

  #axisNames(grid: GridModel, schemes: SchemeMap | undefined, t: MatrixTerms): [string, string] {
    const loc = this.#localize.locale;
    return [schemeName(schemes, grid.def.rowScheme, loc, t.rows), schemeName(schemes, grid.def.colScheme, loc, t.cols)];
  }

  #renderGrid(grid: GridModel, schemes: SchemeMap | undefined, t: MatrixTerms): TemplateResult {
    const loc = this.#localize.locale;
    const [rowAxis, colAxis] = this.#axisNames(grid, schemes, t);
    const focus = this.focusPos ?? this.selectedPos ?? grid.current ?? { row: 0, col: 0 };
    return html`<table part="grid" role="grid" aria-readonly="true" @keydown=${(e: KeyboardEvent) => this.#onKey(e, grid)}>
      <caption>${t.caption(rowAxis, colAxis)}</caption>
      <thead><tr>
        <th scope="col" class="corner">${rowAxis} \\ ${colAxis}</th>
        ${grid.def.cols.map((c) => html`<th scope="col">${levelName(schemes, grid.def.colScheme, c, loc)}</th>`)}
      </tr></thead>
      <tbody>${grid.cells.map(
        (row, r) => html`<tr>
        <th scope="row">${levelName(schemes, grid.def.rowScheme, grid.def.rows[r] ?? '', loc)}</th>
        ${row.map((cell) => this.#renderCell(cell, grid, schemes, t, focus))}
      </tr>`,
      )}</tbody>
    </table>`;
  }

  #renderCell(cell: GridCell, grid: GridModel, schemes: SchemeMap | undefined, t: MatrixTerms, focus: GridPosition): TemplateResult {
    const loc = this.#localize.locale;
    const selected = at(this.selectedPos, cell);
    const current = at(grid.current, cell);
    const parts = `cell${selected ? ' cell-selected' : ''}${current ? ' cell-current' : ''}${cell.count === 0 ? ' cell-empty' : ''}`;
    const d = cell.def;
    const level = d && levelName(schemes, grid.def.scheme, d.level, loc);
    return html`<td role="gridcell" part=${parts}
      data-row=${cell.rowIndex} data-col=${cell.colIndex} data-color=${d ? TONE_COLOR[d.tone] : 'neutral'}
      tabindex=${at(focus, cell) ? 0 : -1} aria-selected=${d ? String(selected) : nothing} aria-disabled=${d ? nothing : 'true'}
      aria-current=${current ? 'true' : nothing}
      @click=${() => this.#select(cell, grid)}>
      ${current ? html`<span class="marker">${t.current}</span>` : nothing}
      ${cell.count !== null ? html`<span part="count" class="count">${t.count(formatCount(cell.count, this.#localize.lang), cell.count)}</span>` : nothing}
      ${
        d
          ? html`<span class="level">${level}</span>
        ${d.action[loc] !== level ? html`<span class="action">${d.action[loc]}</span>` : nothing}
        <span part="tone" class="tone">${t.tone[d.tone]}</span>`
          : html`<span class="action">${t.undefinedCell}</span>`
      }
    </td>`;
  }

  #renderTable(grid: GridModel, schemes: SchemeMap | undefined, t: MatrixTerms): TemplateResult {
    const loc = this.#localize.locale;
    const [rowAxis, colAxis] = this.#axisNames(grid, schemes, t);
    const portfolio = grid.total !== null;
    return html`<table part="table" class="list">
      <caption>${t.caption(rowAxis, colAxis)}</caption>
      <thead><tr>
        <th scope="col">${rowAxis}</th><th scope="col">${colAxis}</th><th scope="col">${t.level}</th>
        <th scope="col">${t.action}</th><th scope="col">${t.toneHeader}</th>
        <th scope="col">${portfolio ? t.countHeader : t.current}</th>
      </tr></thead>
      <tbody>${grid.cells.flat().map(
        (c) => html`<tr>
        <th scope="row">${levelName(schemes, grid.def.rowScheme, c.row, loc)}</th>
        <td>${levelName(schemes, grid.def.colScheme, c.col, loc)}</td>
        <td>${c.def ? levelName(schemes, grid.def.scheme, c.def.level, loc) : t.undefinedCell}</td>
        <td>${c.def?.action[loc] ?? ''}</td>
        <td>${c.def ? t.tone[c.def.tone] : ''}</td>
        <td class="num">${portfolio ? formatCount(c.count ?? 0, this.#localize.lang) : at(grid.current, c) ? t.current : ''}</td>
      </tr>`,
      )}</tbody>
    </table>`;
  }

  #onKey(e: KeyboardEvent, grid: GridModel): void {
    const cellEl = (e.target as HTMLElement).closest('td[data-row]');
    if (!(cellEl instanceof HTMLElement)) return;
    const at = { row: Number(cellEl.dataset['row']), col: Number(cellEl.dataset['col']) };
    const action = gridKeyAction(e, at, grid.def.rows.length, grid.def.cols.length);
    if (action.kind === 'none') return;
    e.preventDefault();
    if (action.kind === 'select') {
      const cell = grid.cells[at.row]?.[at.col];
      if (cell) this.#select(cell, grid);
      return;
    }
    this.focusPos = action.to;
    void this.updateComplete.then(() => this.#cellElement(action.to)?.focus());
  }

  #cellElement(p: GridPosition): HTMLElement | null {
    return this.renderRoot.querySelector<HTMLElement>(`td[data-row="${p.row}"][data-col="${p.col}"]`);
  }

  /** Selects a cell and tells the host; cells the scheme leaves undefined are not selectable. */
  #select(cell: GridCell, grid: GridModel): void {
    const pos = { row: cell.rowIndex, col: cell.colIndex };
    this.focusPos = pos;
    if (!cell.def) return;
    this.selectedPos = pos;
    void this.updateComplete.then(() => this.#cellElement(pos)?.focus());
    const scheme = grid.def.scheme;
    const event = new TkCellSelectEvent({
      scheme,
      row: cell.row,
      col: cell.col,
      level: cell.def.level,
      count: cell.count,
      // The matrix's own filter stays in, so the host lists the cell within the same filtered book.
      filter: { ...this.filter, scheme, level: cell.def.level },
    });
    this.dispatchEvent(event);
  }
}
