export {
  BOOK_READS,
  createClient,
  createReadClient,
  query,
  type HttpAccess,
  type HttpTierkitClient,
  type ReadClient,
  type SendOptions,
} from './client.js';
export { problemOf, TierkitApiError, type TokenFunctionError } from './errors.js';
export { renewingFetch, TokenHolderChangedError } from './renewing-fetch.js';
export { renewOn401, type Reloadable, type RenewOn401Options } from './renew-on-401.js';
export { reuseToken, type ReusedToken, type TokenGrant } from './reuse-token.js';
export type {
  ClientOptions,
  HistoryOptions,
  MatrixOptions,
  ReadOptions,
  SubjectReadOptions,
  TiersOptions,
  TierkitClient,
  TokenSource,
} from './types.js';
export type {
  ListedStanding,
  ListedSubject,
  Page,
  PageOptions,
  Session,
  StaffApi,
  StaffMember,
  StaffRole,
  SubjectQuery,
} from './staff-types.js';
