/*
 * How an erasure tells that text kept for others (a job's params and reason, an import row error, a stored answer)
 * names a customer it erases (docs/operations.md, "Retention and erasure", how numbers and names are matched), for
 * every customer of a chunk at once: each text is read once, whatever the chunk's size. Testing each text against
 * each needle grew with texts × customers: 20,000 import row errors × 1,000 needles was 97 % of a chunk's CPU
 * (BENCHMARKS.md, bench/batch/erasure-scans.bench.ts).
 */

/** Who is being erased: their numbers and names as they were, read before the row is blanked. */
export interface ErasedPeople {
  readonly numbers: readonly string[];
  /** Names as stored; blank ones (already blank, or never given) are left out. */
  readonly names: readonly string[];
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A number as a whole token: not touching a letter or digit, nor joined to one by the punctuation
 * customer numbers are written with (`_ . : -`). So `C0001` is not named by `C00012`, `C0001-02`,
 * `C0001_B` or `X:C0001` (other customers' numbers), and is by `C0001-补录`, `C0001，` or `C0001.` at a
 * sentence's end: punctuation binds only to what could continue a number.
 */
export const tokenOf = (n: string) => new RegExp(`(?<![A-Za-z0-9]|[A-Za-z0-9][_.:-])${escapeRegExp(n)}(?![A-Za-z0-9]|[_.:-][A-Za-z0-9])`);

/**
 * The whole tokens of a text: letters and digits, joined by single `_ . : -`. A number of this shape
 * stands in a text as a whole token ({@link tokenOf}) exactly where one of these equals it: the rule's
 * edges are where such a run cannot go on.
 */
const TOKENS = /[A-Za-z0-9]+(?:[_.:-][A-Za-z0-9]+)*/g;
const TOKEN_SHAPED = /^[A-Za-z0-9]+(?:[_.:-][A-Za-z0-9]+)*$/;

/**
 * Scripts written with spaces between words, where a name is a whole word (Ann is not in Anna). Every
 * other letter is taken as Han is: Korean attaches its particles to a name (김민이), Japanese writes
 * kana on without a space (さくらさん), so there the name touches the text around it.
 */
const SPACED = /[\p{Script=Latin}\p{Script=Cyrillic}\p{Script=Greek}\p{N}]/u;
const LETTER = /\p{L}/u;
/** A letter of a script written without spaces between words (Han, Hangul, kana, Thai …). */
const unspaced = (c: string) => LETTER.test(c) && !SPACED.test(c);
/** Such letters a name may be extended by on either side into another's name: 张三 → 张三丰, 김민 → 김민수. */
const NAME_EXTENSION = 3;

const isHigh = (u: number) => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number) => u >= 0xdc00 && u <= 0xdfff;

/** Up to `max` characters (code points) of `text` before `at`, nearest first. */
function charsBefore(text: string, at: number, max: number): string[] {
  const out: string[] = [];
  let i = at;
  while (out.length < max && i > 0) {
    const step = i >= 2 && isLow(text.charCodeAt(i - 1)) && isHigh(text.charCodeAt(i - 2)) ? 2 : 1;
    out.push(text.slice(i - step, i));
    i -= step;
  }
  return out;
}

/** Up to `max` characters (code points) of `text` from `at` on, nearest first. */
function charsAfter(text: string, at: number, max: number): string[] {
  const out: string[] = [];
  let i = at;
  while (out.length < max && i < text.length) {
    const step = i + 1 < text.length && isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
    out.push(text.slice(i, i + step));
    i += step;
  }
  return out;
}

/**
 * The longer names an occurrence of `name` at `at` could be part of: the occurrence widened over up to
 * {@link NAME_EXTENSION} Han characters on either side (张三 in “客户张三丰来电” → 张三丰, 户张三, 张三丰来 …).
 */
function widenings(text: string, at: number, name: string): string[] {
  const before = charsBefore(text, at, NAME_EXTENSION);
  const after = charsAfter(text, at + name.length, NAME_EXTENSION);
  let left = 0;
  while (left < before.length && unspaced(before[left] ?? '')) left++;
  let right = 0;
  while (right < after.length && unspaced(after[right] ?? '')) right++;
  const out: string[] = [];
  for (let l = 0; l <= left; l++)
    for (let r = 0; r <= right; r++) if (l + r > 0) out.push(before.slice(0, l).reverse().join('') + name + after.slice(0, r).join(''));
  return out;
}

/** Where a name stands in a text (UTF-16 offset), whatever stands around it. */
export interface NameHit {
  readonly at: number;
  readonly name: string;
}

/**
 * Every occurrence of every needle (a name; for {@link ErasureMatcher.holdsAny} a number too) in a text,
 * overlapping ones too, in one pass over the text (an Aho–Corasick automaton over UTF-16 code units: the
 * offsets `indexOf` gives).
 */
class NeedleScanner {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** The needles ending at each state, its suffixes' included. */
  private readonly out: string[][] = [[]];

  constructor(names: Iterable<string>) {
    for (const name of names) {
      let s = 0;
      for (let i = 0; i < name.length; i++) {
        const c = name.charCodeAt(i);
        const edges = this.next[s] as Map<number, number>;
        let t = edges.get(c);
        if (t === undefined) {
          t = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          edges.set(c, t);
        }
        s = t;
      }
      (this.out[s] as string[]).push(name);
    }
    const queue = [...(this.next[0] as Map<number, number>).values()];
    for (let q = 0; q < queue.length; q++) {
      const s = queue[q] as number;
      for (const [c, t] of this.next[s] as Map<number, number>) {
        let f = this.fail[s] as number;
        while (f !== 0 && !(this.next[f] as Map<number, number>).has(c)) f = this.fail[f] as number;
        const g = (this.next[f] as Map<number, number>).get(c) ?? 0;
        this.fail[t] = g;
        if ((this.out[g] as string[]).length) this.out[t] = [...(this.out[t] as string[]), ...(this.out[g] as string[])];
        queue.push(t);
      }
    }
  }

  hits(text: string): NameHit[] {
    const found: NameHit[] = [];
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      while (s !== 0 && !(this.next[s] as Map<number, number>).has(c)) s = this.fail[s] as number;
      s = (this.next[s] as Map<number, number>).get(c) ?? 0;
      for (const name of this.out[s] as string[]) found.push({ at: i + 1 - name.length, name });
    }
    return found;
  }

  /** Whether any needle stands in the text: {@link hits} up to the first. */
  any(text: string): boolean {
    let s = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      while (s !== 0 && !(this.next[s] as Map<number, number>).has(c)) s = this.fail[s] as number;
      s = (this.next[s] as Map<number, number>).get(c) ?? 0;
      if ((this.out[s] as string[]).length) return true;
    }
    return false;
  }
}

/** Whether free text names one of them, and whether a name was found in it only as part of another customer's. */
export interface Mention {
  readonly names: boolean;
  /** A name stood in the text only within another customer's name (张三 in 张三丰): kept, and counted. */
  readonly withinOthers: boolean;
}

/**
 * The erasure's rules for one chunk's customers, built once: numbers by their whole tokens (a set, looked
 * up once per token of a text), names by one scan of the text for all of them. A number not of a
 * token's shape (a trailing `-`, two marks in a row: the API takes such) is tested on its own, by its
 * rule: few if any.
 */
export class ErasureMatcher {
  private readonly tokens: ReadonlySet<string>;
  /** The lengths of the shortest and longest of {@link tokens}. */
  private readonly shortest: number;
  private readonly longest: number;
  private readonly odd: readonly { readonly quoted: string; readonly number: string; readonly rule: RegExp }[];
  private readonly scanner: NeedleScanner | undefined;
  private readonly erasedNames: ReadonlySet<string>;
  private readonly numbers: readonly string[];
  private readonly numberSet: ReadonlySet<string>;
  /** Every number and name, for {@link holdsAny}: built on its first use. */
  private everyNeedle: NeedleScanner | undefined;

  constructor(people: ErasedPeople) {
    this.numbers = people.numbers;
    this.numberSet = new Set(people.numbers);
    this.tokens = new Set(people.numbers.filter((n) => TOKEN_SHAPED.test(n)));
    // A loop, not Math.min(...lengths): spread as arguments, ~130,000 numbers overflow the stack.
    let shortest = Number.POSITIVE_INFINITY;
    let longest = Number.NEGATIVE_INFINITY;
    for (const n of this.tokens) {
      if (n.length < shortest) shortest = n.length;
      if (n.length > longest) longest = n.length;
    }
    this.shortest = shortest;
    this.longest = longest;
    this.odd = people.numbers.filter((n) => !TOKEN_SHAPED.test(n)).map((n) => ({ quoted: JSON.stringify(n), number: n, rule: tokenOf(n) }));
    this.erasedNames = new Set(people.names);
    this.scanner = this.erasedNames.size ? new NeedleScanner(this.erasedNames) : undefined;
  }

  /** Nobody to look for. */
  get empty(): boolean {
    return !this.tokens.size && !this.odd.length && !this.scanner;
  }

  /**
   * Whether one of their numbers or names stands in `text` as a substring, whatever its edges: the first
   * look a stored text gets (a job's params as stored) before its parts are judged by the rules below.
   */
  holdsAny(text: string): boolean {
    this.everyNeedle ??= new NeedleScanner([...this.numbers, ...this.erasedNames]);
    return this.everyNeedle.any(text);
  }

  /** Whether `text` is, whole, one of their numbers (a job filter's entry). */
  isNumber(text: string): boolean {
    return this.numberSet.has(text);
  }

  /** Every place an erased name stands in `text`, as a substring. */
  nameHits(text: string): NameHit[] {
    return this.scanner ? this.scanner.hits(text) : [];
  }

  /** A number named as a whole token. */
  numberIn(text: string): boolean {
    return !this.numbersNamed(text).next().done;
  }

  /** Which of the numbers stand in `text` as whole tokens ({@link numberIn}), each as often as it stands. */
  *numbersNamed(text: string): Generator<string> {
    if (this.tokens.size) for (const m of text.matchAll(TOKENS)) if (this.tokens.has(m[0])) yield m[0];
    for (const o of this.odd) if (text.includes(o.number) && o.rule.test(text)) yield o.number;
  }

  /**
   * A number as a JSON string (`"C000123"`): how stored params and the importer's words quote it. A
   * token-shaped number holds no quote, so it stands quoted exactly where it is all that lies between two
   * quotes next to each other: each such stretch of the length of some number is looked up, and the text
   * is not split into tokens (at 160,000 simulation chunks a chunk, that split was most of the walk's CPU).
   */
  quotedNumberIn(text: string): boolean {
    return !this.numbersQuoted(text).next().done;
  }

  /** Which of the numbers stand in `text` as JSON strings ({@link quotedNumberIn}), each as often as it stands. */
  *numbersQuoted(text: string): Generator<string> {
    if (this.tokens.size)
      for (let from = text.indexOf('"'), to = text.indexOf('"', from + 1); to >= 0; from = to, to = text.indexOf('"', to + 1)) {
        const length = to - from - 1;
        if (length < this.shortest || length > this.longest) continue;
        const stretch = text.slice(from + 1, to);
        if (this.tokens.has(stretch)) yield stretch;
      }
    for (const o of this.odd) if (text.includes(o.quoted)) yield o.number;
  }

  /**
   * The names of others an erased name's occurrences could be part of (张三丰 for 张三): the candidates
   * to look up among the tenant's live customers. Erased names are no others.
   */
  widened(text: string, hits: readonly NameHit[]): string[] {
    const out: string[] = [];
    for (const h of hits) for (const w of widenings(text, h.at, h.name)) if (!this.erasedNames.has(w)) out.push(w);
    return out;
  }

  /**
   * Whether free text names one of them (`hits`: {@link nameHits} of the same text): a number as a whole
   * token, or a name as itself — a name's edge that is a letter or digit of a spaced script (Ann, Li Na)
   * must not touch another (Anna, Li Nan); any other script's edge (Han, Hangul, kana) touches the text
   * around it as Chinese is written (客户张三来电, 김민이), so there the occurrence is the name unless it
   * lies inside the name of another customer of the tenant (`others`: 张三丰, when 张三 is erased). A
   * Han name found within a longer run that is nobody's known name (张三峰, a stranger; 张三主动销户) is
   * taken as theirs: over-clearing a text kept for others is the safe side of an erasure. A namesake's
   * mention goes too: a reason typed about a person, lost, against a name kept.
   */
  mentions(text: string, hits: readonly NameHit[], others: ReadonlySet<string>): Mention {
    let withinOthers = false;
    for (const h of hits) {
      const first = charsAfter(h.name, 0, 1)[0] ?? '';
      const last = charsBefore(h.name, h.name.length, 1)[0] ?? '';
      if (SPACED.test(first) && SPACED.test(charsBefore(text, h.at, 1)[0] ?? '')) continue;
      if (SPACED.test(last) && SPACED.test(charsAfter(text, h.at + h.name.length, 1)[0] ?? '')) continue;
      if (widenings(text, h.at, h.name).some((w) => others.has(w))) withinOthers = true;
      else return { names: true, withinOthers: false };
    }
    const numbers = this.numberIn(text);
    return { names: numbers, withinOthers: !numbers && withinOthers };
  }
}
