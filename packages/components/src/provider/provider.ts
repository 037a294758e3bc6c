import { TkProvider } from './provider.component.js';

export { TkProvider };
// Guarded: a page that loads two bundles, or defines the tag itself first, must not throw.
if (!customElements.get('tk-provider')) customElements.define('tk-provider', TkProvider);

declare global {
  interface HTMLElementTagNameMap {
    'tk-provider': TkProvider;
  }
}
