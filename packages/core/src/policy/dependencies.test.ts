import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicyPack } from '../pack/default-pack.js';
import { dependentSchemes } from './dependencies.js';

// What a re-tier of some schemes must write besides (packages/api README, "Re-tier jobs"), on the demo pack.
describe('dependentSchemes', () => {
  const schemes = defaultPolicyPack.schemes;

  it('follows a level through every scheme that reads it, each after what it reads', () => {
    assert.deepEqual(dependentSchemes(schemes, ['retail-tier']), [
      { scheme: 'value-band', reads: ['retail-tier'] },
      { scheme: 'risk-value', reads: ['value-band'] },
    ]);
    assert.deepEqual(dependentSchemes(schemes, ['credit-rating']), [
      { scheme: 'risk-band', reads: ['credit-rating'] },
      { scheme: 'risk-value', reads: ['risk-band'] },
    ]);
  });

  it('lists a scheme once, with every input of the job it reads; none for a scheme nothing reads, or an unknown one', () => {
    assert.deepEqual(dependentSchemes(schemes, ['aml-risk', 'credit-rating', 'value-band']), [
      { scheme: 'risk-band', reads: ['aml-risk', 'credit-rating'] },
      { scheme: 'risk-value', reads: ['risk-band', 'value-band'] },
    ]);
    assert.deepEqual(dependentSchemes(schemes, ['risk-value']), []);
    assert.deepEqual(dependentSchemes(schemes, ['no-such-scheme']), []);
  });
});
