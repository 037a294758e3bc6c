/* Registers every tierkit element under its default `tk-*` tag (each registration is guarded). */
import './provider/provider.js';
import './tier-badge/tier-badge.js';
import './entitlement-panel/entitlement-panel.js';
import './risk-value-matrix/risk-value-matrix.js';
import './tier-timeline/tier-timeline.js';

export * from './index.js';
