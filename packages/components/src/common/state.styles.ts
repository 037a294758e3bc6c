import { css } from 'lit';

/**
 * Loading / empty / error state layout shared by the block widgets (see states.ts; the inline badge
 * draws its states as pills instead, see tier-badge/pill-rules.ts). Every block widget puts it after
 * `hostStyles`, whose `--_*` aliases it reads and whose `:focus-visible` ring the retry button takes.
 */
export const stateStyles = css`
  .state {
    display: flex; align-items: center; gap: var(--_space); padding: var(--_space);
    color: var(--_muted); font-size: 0.875em;
    /* Room for the retry button in every state, so loading does not grow when it fails (or shrink back). */
    min-height: calc(24px + 2 * var(--_space));
  }
  /* The box states.ts keeps, empty, beside the data: out of the layout, no size, still in the accessibility tree. */
  .state:not([part]) { position: absolute; padding: 0; min-height: 0; }
  .state--error { color: var(--_danger); }
  .retry {
    font: inherit; color: var(--_accent-text); background: var(--_accent); border: 0;
    border-radius: calc(var(--_radius) / 2); padding: 2px 10px; cursor: pointer; min-height: 24px;
  }
  .spinner {
    width: 1em; height: 1em; border-radius: 50%;
    border: 2px solid var(--_border); border-top-color: var(--_accent);
    animation: tk-spin 0.8s linear infinite;
  }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  @keyframes tk-spin { to { transform: rotate(360deg); } }
`;
