/* The console's entry: zod told not to compile (strict CSP), the widgets' tags, then the console's own. */
import './strict-csp.js';
import '@tierkit/components/define';
import { AdminConsole } from './admin-console.js';

if (!customElements.get('tk-admin-console')) customElements.define('tk-admin-console', AdminConsole);
