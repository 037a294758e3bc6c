// @ts-check
// The plain page's script, type-checked against the package's .d.ts (checkJs): the tags are typed
// through HTMLElementTagNameMap, so `.data` below is checked as TierBadgeData.
import '@tierkit/components/define';
import { createClient } from '@tierkit/components';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('api') ?? '';
const token = params.get('token') ?? '';
const subject = params.get('subject') ?? '';

const provider = /** @type {HTMLElementTagNameMap['tk-provider']} */ (document.querySelector('tk-provider'));
provider.baseUrl = baseUrl;
provider.token = token;
provider.subject = subject;

const loads = /** @type {HTMLOutputElement} */ (document.querySelector('#loads'));
const connected = /** @type {HTMLElementTagNameMap['tk-tier-badge']} */ (document.querySelector('#connected'));
connected.addEventListener('tk-load', (e) => {
  loads.value = [loads.value, e.resource].filter(Boolean).join(',');
});

const controlled = /** @type {HTMLElementTagNameMap['tk-tier-badge']} */ (document.querySelector('#controlled'));
const tiers = await createClient({ baseUrl, token }).getTiers(subject);
const assignment = tiers.assignments.find((a) => a.scheme === 'retail-tier');
if (assignment) controlled.data = { assignment, metrics: tiers.metrics };

document.querySelector('#en')?.addEventListener('click', () => {
  provider.locale = 'en';
  controlled.lang = 'en';
});
document.querySelector('#dark')?.addEventListener('click', () => {
  provider.theme = 'dark';
});
