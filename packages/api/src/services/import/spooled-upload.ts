import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemError } from '../../problem.js';
import type { ImportSource } from './run-import.js';

/**
 * An uploaded body as an import source: the first pass reads the request stream and copies it to a
 * temporary file as it goes, the second reads that file. Memory holds one chunk at a time; the
 * request fails with a 413 as soon as it passes `maxBytes`. `dispose` removes the file.
 */
export async function spooledUpload(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<ImportSource & { dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tierkit-import-'));
  const path = join(dir, 'upload.csv');
  const file = await open(path, 'w');
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await file.close();
  };
  const tooLarge = () =>
    new ProblemError('payload-too-large', `Import files are limited to ${maxBytes} bytes (the maxImportBytes option); split the file.`);
  async function* first(): AsyncGenerator<Uint8Array> {
    let bytes = 0;
    if (body) {
      for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        if (bytes > maxBytes) throw tooLarge();
        await file.write(chunk);
        yield chunk;
      }
    }
    await close();
  }
  return {
    first: first(),
    again: () => createReadStream(path, { highWaterMark: 256 * 1024 }),
    dispose: async () => {
      await close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
