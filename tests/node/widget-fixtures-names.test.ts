import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultPolicyPack, type LocalizedText } from '@tierkit/core';
import { retailTier } from '../../packages/components/src/common/fixtures/schemes.js';

// Storybook and the widget tests draw these fixtures; a designer compares them with the live pages, so a
// level is named as the default pack names it (普通, not 普通客户: s34 designer finding 8).
describe('the widget fixtures name levels as the default pack does', () => {
  it('retail tier', () => {
    const live = defaultPolicyPack.schemes.find((s) => s.key === 'retail-tier');
    assert.ok(live, 'the default pack has the retail tier');
    for (const level of retailTier.levels) {
      const name: LocalizedText | undefined = live.levels.find((l: { key: string }) => l.key === level.key)?.name;
      assert.deepEqual(level.name, name, level.key);
    }
  });
});
