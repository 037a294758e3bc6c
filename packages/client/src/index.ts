export { createClient, type HttpTierkitClient } from './client.js';
export { TierkitApiError } from './errors.js';
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
