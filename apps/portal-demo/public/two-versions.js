// Team B's copy of tierkit: a second module instance (its own Lit, its own classes) registered under
// bank-* names, so it never collides with team A's tk-* elements, whatever version either team ships.
import * as teamB from '/widgets/tierkit.js?copy=team-b';
import { tokenSource } from './demo.js';

if (!customElements.get('bank-provider')) customElements.define('bank-provider', class extends teamB.TkProvider {});
if (!customElements.get('bank-tier-badge')) customElements.define('bank-tier-badge', class extends teamB.TkTierBadge {});

for (const p of document.querySelectorAll('bank-provider')) {
  const subject = p.getAttribute('subject');
  p.client = teamB.createClient({ baseUrl: '/', token: tokenSource(`${p.dataset.tokenUrl}?subject=${encodeURIComponent(subject)}`) });
}
