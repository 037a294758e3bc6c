import assert from 'node:assert/strict';
import { it } from 'node:test';
import iconv from 'iconv-lite';
import { decodedText, UndecodableError } from './decoded-text.js';

async function* chunks(bytes: Buffer, size: number) {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function text(bytes: Buffer, size: number): Promise<string> {
  let out = '';
  for await (const t of decodedText(chunks(bytes, size), 'gb18030')) out += t;
  return out;
}

it('GB18030 decodes the same however the bytes are cut, four-byte characters and an honest U+FFFD included', async () => {
  const file = 'id,name\nQ1,李\u{20000}明\nQ2,\uFFFD真\nQ3,\u{20000}abc\n';
  const bytes = iconv.encode(file, 'gb18030');
  // Cut one byte before the end of 𠀀 and followed by ASCII, iconv-lite 0.4 alone drops the chunk's last character.
  for (const size of [1, 2, 3, 5, 7, 64]) assert.equal(await text(bytes, size), file, `chunks of ${size}`);
});

it('a U+FFFD the bytes did not spell stops the read at its line, wherever the chunks are cut', async () => {
  const bytes = Buffer.concat([iconv.encode('id,name\nQ2,\uFFFD\nQ3,李', 'gb18030'), Buffer.from([0x81, 0x0a])]);
  for (const size of [1, 4, 64]) {
    await assert.rejects(text(bytes, size), (e) => e instanceof UndecodableError && e.line === 3, `chunks of ${size}`);
  }
});
