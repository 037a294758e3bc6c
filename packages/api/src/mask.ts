// Masking has one home, in core, shared with the widgets (docs/domain.md §8); re-exported here for
// the API's own modules and its public `maskName`.
export { maskName } from '@tierkit/core';
