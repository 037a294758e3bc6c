import { css } from 'lit';

/**
 * Loading / empty / error state layout shared by the block widgets (see states.ts; the inline badge
 * draws its states as pills instead, see tier-badge/pill-rules.ts). It reads the `--tk-*` tokens
 * directly rather than the `--_*` aliases, so it draws in a widget that leaves `hostStyles` out.
 */
export const stateStyles = css`
  .state {
    display: flex; align-items: center; gap: var(--tk-space, 8px); padding: var(--tk-space, 8px);
    color: var(--tk-color-text-muted, #59636e); font-size: 0.875em;
  }
  .state--error { color: var(--tk-color-danger, #b3261e); }
  .retry {
    font: inherit; color: var(--tk-color-accent-text, #ffffff); background: var(--tk-color-accent, #0b5cad); border: 0;
    border-radius: calc(var(--tk-radius, 8px) / 2); padding: 2px 10px; cursor: pointer;
  }
  .retry:focus-visible { outline: 2px solid var(--tk-color-focus, #0b5cad); outline-offset: 2px; }
  .spinner {
    width: 1em; height: 1em; border-radius: 50%;
    border: 2px solid var(--tk-color-border, #d1d9e0); border-top-color: var(--tk-color-accent, #0b5cad);
    animation: tk-spin 0.8s linear infinite;
  }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
  @keyframes tk-spin { to { transform: rotate(360deg); } }
`;
