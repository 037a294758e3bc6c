import { createClient } from '@tierkit/client';

let token: (() => Promise<string>) | undefined;

/**
 * The console's one client: every page's stores and every widget share its requests and cache. Pages
 * create their stores with it when they are constructed; the shell sets the credential at sign-in.
 */
export const client = createClient({ baseUrl: '', token: () => (token ? token() : '') });

/** Use this credential from now on (undefined: signed out); cached answers of the previous one are dropped. */
export function useCredential(source: (() => Promise<string>) | undefined): void {
  token = source;
  client.invalidate();
}
