import { expect } from '@open-wc/testing';
import { voice } from './voice.js';

describe('one voice per message, for the whole page', () => {
  it('is shared by two copies of the widgets on one page (two bundles, two versions)', async () => {
    // Another copy of this module, as a second bundle on the page carries (the query makes it a module of its own).
    const copy: typeof import('./voice.js') = await import(`${new URL('./voice.ts', import.meta.url)}?copy`);
    expect(copy.voice).to.not.equal(voice);
    const [a, b] = [document.createElement('div'), document.createElement('div')];
    document.body.append(a, b);
    try {
      expect(voice(a, '暂时无法加载，请稍后再试。')).to.equal('status');
      // The other copy's widget shows the same words: the page says them once.
      expect(copy.voice(b, '暂时无法加载，请稍后再试。')).to.equal(null);
      // When the first moves on, the next to render the words takes their voice, whichever copy it is.
      voice(a, null);
      expect(copy.voice(b, '暂时无法加载，请稍后再试。')).to.equal('status');
      expect(voice(a, '暂时无法加载，请稍后再试。')).to.equal(null);
    } finally {
      a.remove();
      b.remove();
      voice(a);
      copy.voice(b);
    }
  });
});
