import type { DistributionResponse, EffectResponse, MigrationResponse, RatesResponse } from '@tierkit/admin';
import { meanText } from './analytics-format.js';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartConfiguration,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  type Plugin,
  PointElement,
  Tooltip,
} from 'chart.js';
import { MatrixController, MatrixElement } from 'chartjs-chart-matrix';
import type { ConsoleLocale } from '../words.js';

/*
 * The analytics page's charts, on Chart.js with only the parts used registered (tree-shaken) and the
 * matrix plugin for the heat map. This module is imported with `import()` by the analytics page only,
 * so esbuild puts Chart.js in a chunk of its own that no other page loads (apps/admin/build.mjs).
 * Chart.js draws on a canvas and styles it through the CSSOM: no inline <style>, no innerHTML, so it
 * runs under the console's CSP with Trusted Types. Every chart has a table beside it with every figure.
 */

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
  MatrixController,
  MatrixElement,
);
Chart.defaults.color = '#1d2330';
Chart.defaults.font.family = "system-ui, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif";
// Screenshots and tests see the final picture at once; nobody needs bars growing.
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;

/** Level colours: each at least 3:1 against the white card (WCAG 1.4.11), and told apart by order too. */
export const PALETTE = ['#1f5fa8', '#b35c00', '#2e7d32', '#6a1b9a', '#c62828', '#00695c', '#5d4037', '#37474f'];
const INK = '#1d2330';
const HEAT = [18, 50, 92] as const; // the console's navy

/** What the page keeps of a chart: where it is drawn, and how to take it down before redrawing. */
export type ChartHandle = Pick<Chart, 'destroy' | 'canvas'>;

export interface Labels {
  readonly locale: ConsoleLocale;
  /** A level's name in the page's language (its key when the scheme no longer has it). */
  level(key: string): string;
}

/** Stacked bars: subjects per level in each month. */
export function distributionChart(canvas: HTMLCanvasElement, d: DistributionResponse, l: Labels): ChartHandle {
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: [...d.periods],
      datasets: d.series.map((s, i) => ({
        label: l.level(s.level),
        data: [...s.counts],
        backgroundColor: PALETTE[i % PALETTE.length],
        borderColor: '#fff',
        borderWidth: 1,
      })),
    },
    options: {
      locale: l.locale,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  return new Chart(canvas, config);
}

interface Cell {
  readonly x: string;
  readonly y: string;
  readonly v: number;
}

/** The share of the heat colour a count gets: never fully white, so a zero cell still shows as a cell. */
function heatAlpha(v: number, max: number): number {
  return max === 0 ? 0.06 : 0.06 + 0.94 * (v / max);
}

/** Relative luminance (WCAG) of the heat colour at `alpha` over white. */
export function heatLuminance(alpha: number): number {
  const lin = (c: number) => {
    const s = (255 - alpha * (255 - c)) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(HEAT[0]) + 0.7152 * lin(HEAT[1]) + 0.0722 * lin(HEAT[2]);
}

/** Ink or white, whichever contrasts more with the cell: at worst about 4:1, above the 3:1 of large bold text. */
export function labelColour(alpha: number): string {
  const L = heatLuminance(alpha);
  const inkL = 0.0165; // #1d2330
  return (L + 0.05) / (inkL + 0.05) >= 1.05 / (L + 0.05) ? INK : '#ffffff';
}

/** Draws each cell's count in it: the heat map is read by its numbers, the colour only guides the eye. */
const cellCounts: Plugin<'matrix'> = {
  id: 'tkCellCounts',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const meta = chart.getDatasetMeta(0);
    const cells = chart.data.datasets[0]?.data as unknown as readonly Cell[] | undefined;
    if (!cells) return;
    const max = Math.max(0, ...cells.map((c) => c.v));
    ctx.save();
    ctx.font = `bold 19px ${Chart.defaults.font.family}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    meta.data.forEach((el, i) => {
      const cell = cells[i];
      if (!cell) return;
      const { x, y, width, height } = el.getProps(['x', 'y', 'width', 'height'], true) as {
        x: number;
        y: number;
        width: number;
        height: number;
      };
      ctx.fillStyle = labelColour(heatAlpha(cell.v, max));
      ctx.fillText(String(cell.v), x + width / 2, y + height / 2);
    });
    ctx.restore();
  },
};

/** The from × to matrix as a heat map, counts in the cells. */
export function migrationChart(canvas: HTMLCanvasElement, m: MigrationResponse, l: Labels, axes: { x: string; y: string }): ChartHandle {
  const names = m.levels.map((k) => l.level(k));
  const cells: Cell[] = m.levels.flatMap((from, i) =>
    m.levels.map((to, j) => ({ x: names[j] ?? to, y: names[i] ?? from, v: m.matrix[i]?.[j] ?? 0 })),
  );
  const max = Math.max(0, ...cells.map((c) => c.v));
  const n = Math.max(1, m.levels.length);
  const config: ChartConfiguration<'matrix', Cell[]> = {
    type: 'matrix',
    data: {
      datasets: [
        {
          label: '',
          data: cells,
          backgroundColor: (c) => {
            const v = (c.raw as Cell | undefined)?.v ?? 0;
            return `rgba(${HEAT.join(',')},${heatAlpha(v, max).toFixed(3)})`;
          },
          borderColor: '#fff',
          borderWidth: 2,
          width: ({ chart }) => (chart.chartArea?.width ?? 0) / n - 2,
          height: ({ chart }) => (chart.chartArea?.height ?? 0) / n - 2,
        },
      ],
    },
    options: {
      locale: l.locale,
      scales: {
        x: { type: 'category', labels: names, offset: true, grid: { display: false }, title: { display: true, text: axes.x } },
        // The matrix plugin reverses y by default (first label at the bottom); rows run top down like the table's.
        y: {
          type: 'category',
          labels: names,
          offset: true,
          reverse: false,
          grid: { display: false },
          title: { display: true, text: axes.y },
        },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { title: () => '', label: (c) => `${(c.raw as Cell).y} → ${(c.raw as Cell).x}: ${(c.raw as Cell).v}` } },
      },
    },
    plugins: [cellCounts],
  };
  return new Chart(canvas, config);
}

const percent = (r: number | null) => (r === null ? null : Math.round(r * 10_000) / 100);

/** Lines of the monthly upgrade and downgrade rates, in percent. */
export function ratesChart(canvas: HTMLCanvasElement, r: RatesResponse, l: Labels, names: { up: string; down: string }): ChartHandle {
  const config: ChartConfiguration<'line', (number | null)[]> = {
    type: 'line',
    data: {
      labels: [...r.periods],
      datasets: [
        {
          label: names.up,
          data: r.upgradeRate.map(percent),
          borderColor: PALETTE[2],
          backgroundColor: PALETTE[2],
          pointStyle: 'triangle',
          spanGaps: false,
        },
        {
          label: names.down,
          data: r.downgradeRate.map(percent),
          borderColor: PALETTE[4],
          backgroundColor: PALETTE[4],
          pointStyle: 'rectRot',
          borderDash: [6, 3],
        },
      ],
    },
    options: {
      locale: l.locale,
      scales: { y: { beginAtZero: true, ticks: { callback: (v) => `${v}%` } } },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  return new Chart(canvas, config);
}

/** Movers' and matched stayers' mean change since the month of the move, month by month after it. */
export function effectChart(
  canvas: HTMLCanvasElement,
  e: EffectResponse,
  l: Labels,
  names: { moved: string; stayed: string; monthsAfter: string },
): ChartHandle {
  const show = (v: number) => meanText(v, e.metric, l.locale);
  const config: ChartConfiguration<'line', (number | null)[]> = {
    type: 'line',
    data: {
      labels: e.monthsAfter.map((k, i) => `+${k} (${e.periods[i] ?? ''})`),
      datasets: [
        {
          label: names.moved,
          data: [...e.matched.moved.meanChange],
          borderColor: PALETTE[0],
          backgroundColor: PALETTE[0],
          pointStyle: 'circle',
        },
        {
          label: names.stayed,
          data: [...e.matched.stayed.meanChange],
          borderColor: PALETTE[1],
          backgroundColor: PALETTE[1],
          pointStyle: 'rect',
          borderDash: [6, 3],
        },
      ],
    },
    options: {
      locale: l.locale,
      scales: {
        x: { title: { display: true, text: names.monthsAfter } },
        y: { ticks: { callback: (v) => show(Number(v)) } },
      },
      plugins: {
        legend: { position: 'bottom' },
        tooltip: {
          callbacks: {
            label: (c) => {
              const n = (c.datasetIndex === 0 ? e.matched.moved : e.matched.stayed).counts[c.dataIndex] ?? 0;
              return `${c.dataset.label}: ${c.parsed.y === null ? '—' : show(c.parsed.y)} (n = ${n})`;
            },
          },
        },
      },
    },
  };
  return new Chart(canvas, config);
}
