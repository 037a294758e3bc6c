// How `npm run bench` records a run in BENCHMARKS.md. Most of that file is written by hand (analysis,
// earlier figures, what was tried and why), so a run never rewrites it: each bench owns one block,
// between markers, right under its `## bench/…` heading, and only that block is replaced.

const END = '<!-- /npm run bench -->';
const start = (rel) => `<!-- npm run bench: ${rel} -->`;
const literal = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The block for one bench's run: its output, with when and where it ran (ratios are compared across
 * runs, and a ratio means little without the machine it came from).
 * @param {{ rel: string, output: string, status: number | null, date: string, node: string, cpu: string }} run
 */
export function runBlock({ rel, output, status, date, node, cpu }) {
  const exit = status === 0 ? '' : `\n(exited ${status})\n`;
  return `${start(rel)}\nLast \`npm run bench\`: ${date}, Node ${node}, ${cpu}.\n\n\`\`\`\n${output.trim()}\n\`\`\`\n${exit}${END}`;
}

/**
 * BENCHMARKS.md with the block of `rel` replaced by `block`, or inserted right under the bench's
 * `## rel` heading, or, with no such heading, a new section at the end. Nothing else changes.
 * @param {string} text
 * @param {string} rel
 * @param {string} block
 */
export function spliceRun(text, rel, block) {
  const existing = new RegExp(`${literal(start(rel))}[\\s\\S]*?${literal(END)}`);
  // A function replacement, so `$` in a bench's output is taken literally.
  if (existing.test(text)) return text.replace(existing, () => block);
  // A heading may name more than the bench (`## bench/a.bench.ts and b.bench.ts`).
  const heading = new RegExp(`^## ${literal(rel)}(?:[ \\t][^\\n]*)?\\n`, 'm');
  const found = heading.exec(text);
  if (found) {
    const at = found.index + found[0].length;
    return `${text.slice(0, at)}\n${block}\n${text.slice(at)}`;
  }
  return `${text.replace(/\s*$/, '')}\n\n## ${rel}\n\n${block}\n`;
}
