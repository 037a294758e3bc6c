import { createReadStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProblemError } from '../../problem.js';
import type { ImportSource } from './run-import.js';

/**
 * Copy an uploaded body to a temporary file, one chunk at a time, failing with a 413 as soon as it
 * passes `maxBytes`. The import then reads the file: its transaction lasts as long as the reading
 * of a local file, not as long as a slow client's upload. `dispose` removes the file.
 */
export async function spooledUpload(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<{ source: ImportSource; dispose(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tierkit-import-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  const path = join(dir, 'upload.csv');
  try {
    const file = await open(path, 'w');
    try {
      let bytes = 0;
      if (body) {
        for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.byteLength;
          if (bytes > maxBytes) {
            throw new ProblemError(
              'payload-too-large',
              `Import files are limited to ${maxBytes} bytes (the maxImportBytes option); split the file.`,
            );
          }
          await file.write(chunk);
        }
      }
    } finally {
      await file.close();
    }
  } catch (err) {
    await dispose();
    throw err;
  }
  return { source: () => createReadStream(path, { highWaterMark: 256 * 1024 }), dispose };
}
