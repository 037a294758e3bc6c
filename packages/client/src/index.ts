export { BOOK_READS, createClient, query, type HttpAccess, type HttpTierkitClient, type SendOptions } from './client.js';
export { TierkitApiError } from './errors.js';
export type {
  ClientOptions,
  HistoryOptions,
  MatrixOptions,
  ReadOptions,
  SubjectReadOptions,
  TiersOptions,
  TierkitClient,
  TokenGrant,
  TokenSource,
} from './types.js';
export type { Page, PageOptions, Session, StaffApi, StaffMember, StaffRole, SubjectQuery } from './staff-types.js';
