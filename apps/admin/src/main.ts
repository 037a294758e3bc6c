/* The console's entry: the widgets' tags, then the console's own. (public/zod-jitless.js runs first.) */
import '@tierkit/components/define';
import { AdminConsole } from './admin-console.js';

if (!customElements.get('tk-admin-console')) customElements.define('tk-admin-console', AdminConsole);
