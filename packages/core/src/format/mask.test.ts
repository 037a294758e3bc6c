import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maskId, maskName, maskPerson } from './mask.js';

describe('personal data masking (docs/domain.md §8), the same for the API and the widgets', () => {
  it('masks names, ID cards, bank cards and mobiles the usual way', () => {
    assert.equal(maskName('张三'), '张*');
    assert.equal(maskName('李和明'), '李*明');
    assert.equal(maskName('王建国'), '王*国');
    assert.equal(maskName('邱某'), '邱*');
    assert.equal(maskName('John Smith'), 'J*** S****');
    assert.equal(maskId('440401199001011768'), '440401********1768');
    assert.equal(maskId('6228880000005676'), '622888******5676');
    assert.equal(maskId('17712347986'), '177****7986');
    assert.equal(maskId('C000003'), 'C0***03');
  });

  it('keeps the surname, as banks print names: the first and last character, never the rest', () => {
    assert.equal(maskName('欧阳和明'), '欧**明');
    assert.equal(maskName('爱新觉罗溥仪'), '爱****仪');
    assert.equal(maskName('王'), '*');
    assert.equal(maskName('  王五  '), '王*');
    assert.equal(maskName(''), '');
  });

  it('drops the spaces and interpuncts between a Chinese name’s parts, so none shows a given name whole', () => {
    assert.equal(maskName('李 四'), '李*');
    assert.equal(maskName('李\u3000四'), '李*', 'a full-width space');
    assert.equal(maskName('张·三'), '张*');
    assert.equal(maskName('张・三'), '张*', 'the katakana middle dot Japanese input gives');
    assert.equal(maskName('王 建 国'), '王*国');
    assert.equal(maskName('阿卜杜拉·买买提'), '阿*****提');
    assert.equal(maskPerson('李 四'), '李*');
    assert.equal(maskName(maskName('张·三')), '张*');
  });

  it('keeps only the Chinese characters of the basic planes (and `*`) of a Chinese name: anything else is dropped, never shown', () => {
    // Latin letters beside a Chinese character are dropped with the spaces: what is left is one character, masked whole.
    assert.equal(maskName('王Amy'), '*');
    assert.equal(maskName('王 Amy'), '*');
    assert.equal(maskName('李Li明'), '李*');
    // A character outside the basic planes (𠮷, Extension B) is dropped too: the name masks as 王明 would.
    assert.equal(maskName('王𠮷明'), '王*');
    for (const name of ['王Amy', '王𠮷明', '李Li明']) {
      const masked = maskName(name);
      assert.ok(!/[A-Za-z]|[\u{10000}-\u{10FFFF}]/u.test(masked), `${name} → ${masked} shows a dropped character`);
      assert.equal(maskName(masked), masked, 'masking it again shows nothing more');
    }
  });

  it('masks a staff member as a name or as an id, whichever the record holds', () => {
    assert.equal(maskPerson('王经理'), '王*理');
    assert.equal(maskPerson('Li Na'), 'L* N*');
    assert.equal(maskPerson('E1024'), '****4');
    assert.equal(maskPerson('rm.zhang'), 'rm****ng');
  });

  it('masks a value holding a `*` too: a name may hold one, and masking twice reveals nothing more', () => {
    assert.equal(maskName('王小明*'), '王***');
    assert.equal(maskName('Wang Xiaoming (VIP*)'), 'W*** X******* (*****');
    assert.equal(maskId('ab*cdefgh'), 'ab*****gh');
    for (const name of ['张三', '李和明', '欧阳和明', 'John Smith', '*', '王小明*'])
      assert.equal(maskName(maskName(name)), maskName(name), name);
    assert.equal(maskId(maskId('17712347986')), '17*******86');
  });
});
