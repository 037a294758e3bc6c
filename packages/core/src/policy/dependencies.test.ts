import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicyPack } from '../pack/default-pack.js';
import { dependentSchemes } from './dependencies.js';

// What a re-tier of some schemes must write besides (packages/api README, "Re-tier jobs"), on the demo pack:
// the set is closed both ways — readers of what it writes, and the inputs of what it writes.
describe('dependentSchemes', () => {
  const schemes = defaultPolicyPack.schemes;

  it('follows a level through every scheme that reads it, and adds the inputs those read, in dependency order', () => {
    assert.deepEqual(dependentSchemes(schemes, ['retail-tier']), [
      { scheme: 'aml-risk', readBy: ['risk-band'] },
      { scheme: 'credit-rating', readBy: ['risk-band'] },
      { scheme: 'risk-band', readBy: ['risk-value'] },
      { scheme: 'value-band', reads: ['retail-tier'] },
      { scheme: 'risk-value', reads: ['value-band'] },
    ]);
  });

  it('adds every input of a derived or matrix scheme asked alone, transitively', () => {
    assert.deepEqual(dependentSchemes(schemes, ['risk-value']), [
      { scheme: 'retail-tier', readBy: ['value-band'] },
      { scheme: 'aml-risk', readBy: ['risk-band'] },
      { scheme: 'credit-rating', readBy: ['risk-band'] },
      { scheme: 'risk-band', readBy: ['risk-value'] },
      { scheme: 'value-band', readBy: ['risk-value'] },
    ]);
  });

  it('lists a scheme once, with every scheme of the job it reads or that reads it; none for an unknown one', () => {
    assert.deepEqual(dependentSchemes(schemes, ['aml-risk', 'credit-rating', 'value-band']), [
      { scheme: 'retail-tier', readBy: ['value-band'] },
      { scheme: 'risk-band', reads: ['aml-risk', 'credit-rating'] },
      { scheme: 'risk-value', reads: ['risk-band', 'value-band'] },
    ]);
    assert.deepEqual(dependentSchemes(schemes, ['no-such-scheme']), []);
  });
});
