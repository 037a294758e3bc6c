/*
 * `@tierkit/admin/policy-editor`: the policy editor on its own entry. It validates drafts with the
 * engine's validator (zod, ~100 KB gzip), so a console imports it only where it edits policies — a
 * page loaded as a chunk of its own — and its other pages stay free of it. (The main entry still
 * re-exports it for Node and for bundles that tree-shake.)
 */
export { PolicyEditor, POLICY_ACTIONS, movedCount } from './core/policy-editor.js';
export type { ActionState, PolicyAction, PolicyEditorState } from './core/policy-editor.js';
export type * from './core/policy-editor-types.js';
