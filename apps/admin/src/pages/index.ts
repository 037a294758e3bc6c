import type { ConsolePage } from '../page.js';
import { analyticsPage } from './analytics-page.js';
import { auditPage } from './audit-page.js';
import { approvalsPage } from './approvals-page.js';
import { bookPage } from './book-page.js';
import { booksPage } from './books-page.js';
import { myRequestsPage } from './my-requests-page.js';
import { jobsPage } from './jobs-page.js';
import { keysPage } from './keys-page.js';
import { metricsPage } from './metrics-page.js';
import { policiesPage } from './policies-page.js';
import { importPage } from './import-page.js';
import { overridesPage } from './overrides-page.js';
import { staffPage } from './staff-page.js';

/**
 * The console's pages, in the navigation's order. A new page: a file of its own in this folder
 * exporting a ConsolePage, and one line here.
 */
export const PAGES: readonly ConsolePage[] = [
  bookPage,
  booksPage,
  myRequestsPage,
  approvalsPage,
  policiesPage,
  metricsPage,
  jobsPage,
  overridesPage,
  importPage,
  analyticsPage,
  auditPage,
  keysPage,
  staffPage,
];
