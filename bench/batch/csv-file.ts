import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/**
 * Write a generated CSV of any size to `path` in 1 MiB pieces, waiting for the stream to drain, so a
 * bench's million-row file never sits in memory whole (that would count in the import's peak RSS).
 */
export async function writeCsvFile(path: string, header: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  out.write(`${header}\n`);
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}
