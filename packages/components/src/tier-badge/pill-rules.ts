import type { LevelColor } from '@tierkit/core';
import { sheetOf, type ConstantCss } from '../common/constructed-sheet.js';
import { perLevelColor } from '../common/level-palette.js';
import { progressCss } from './tier-badge.styles.js';

/** What the host pill shows: a level's colour, or one of the three states. */
export type PillState = LevelColor | 'loading' | 'empty' | 'error';

/*
 * The pill — a level's name on its colour — is usually the badge's host element itself, styled from
 * outside its shadow root. Measured on a page of a thousand badges (bench/components), a shadow root
 * with any stylesheet of its own — even one shared adopted sheet with one rule — costs each instance
 * about as much again as a whole minimal Lit element, and a styled element inside the shadow root
 * more on top; a styled host with bare text inside costs close to nothing more. So the host carries the custom
 * states `pill` and `<color>` (see host-state.ts), and these rules — adopted once into the document
 * or shadow root that holds the badges — draw it. The shadow root gets a stylesheet only when it
 * shows progress, where the pill is an inner `part="level"`. Loading, empty and error are pills too,
 * muted: an inline badge that turned into a block with a spinner would push a table row apart.
 *
 * The rules sit in `@layer tierkit`, so any unlayered rule of the host page wins over them. A page
 * that layers its own CSS puts `@layer tierkit;` first to keep its layers on top.
 *
 * Each declaration is paid by every pill on the page, so the pill sets only what makes it a pill. It
 * keeps the surrounding text's font and size (m) unless `--tk-font-family` or `size` says otherwise
 * (`var(--tk-font-family)` needs no `inherit` fallback: unset, an inherited property inherits):
 * a pill in a sentence or a table cell reads as part of it. A Chinese name is one word that a table
 * never splits; a long English one wraps between words where a phone has no room for it on one line
 * (a line any narrower still breaks rather than overflow). Its size is its content's even where a grid
 * or flex container makes it a block (an inline box ignores `width`), so it never stretches into a bar.
 */

/** The pill's rules: `pill` selects the pill, `colored(c)` the pill of colour `c`. */
export function pillRules(pill: string, colored: (color: string) => string): string {
  return (
    `${pill}{padding:.2em .75em;font-family:var(--tk-font-family);font-weight:600;line-height:1.4;` +
    `word-break:keep-all;overflow-wrap:break-word;border-radius:var(--tk-tier-badge-radius,999px);width:fit-content;height:fit-content}` +
    // Forced colours (Windows high contrast) drop the background: a system-colour border keeps the
    // pill set apart from the text around it. Its colour is the text's, which forced colours make a
    // system colour (CanvasText); naming it would cost bytes the badge does not have (README).
    `@media(forced-colors:active){${pill}{border:1px solid}}` +
    perLevelColor((c, bg, fg) => `${colored(c)}{background:var(--tk-tier-badge-bg,${bg});color:var(--tk-tier-badge-color,${fg})}`)
  );
}

/**
 * The rules for badges registered as `tag` — host pills, retry button, sizes — built once per tag
 * name and document (two versions under two tag names each get theirs; an iframe needs its own).
 */
export function pillSheet(tag: string, doc: Document): CSSStyleSheet | undefined {
  return sheetOf(doc, tag, () => {
    const t = CSS.escape(tag);
    const state = (s: string) => `${t}:is(:state(${s}),[data-tk-state~=${s}])`;
    const muted = `background:var(--tk-color-surface,#fff);font-weight:400;color:var(--tk-color-text-muted,#59636e)`;
    // Cast, not `constantCss()`: the same mark without a call in the badge's bundle, which has no byte to spare.
    return (`@layer tierkit{${pillRules(state('pill'), state)}` +
      `${state('loading')},${state('empty')}{${muted}}${state('error')}{${muted};color:var(--tk-color-danger,#b3261e)}` +
      `${t}::part(retry){font:inherit;color:inherit;background:none;border:1px solid;border-radius:inherit;` +
      `margin-inline-start:.5em;padding:0 .6em;cursor:pointer}` +
      `${t}[size=s]{font-size:.8125em}${t}[size=l]{font-size:1.25em}}`) as ConstantCss;
  });
}

/**
 * The shadow root's one sheet, for the progress view: the pill inside it (`.level[data-color]`), then
 * the layout of pill, bar and gap sentence (tier-badge.styles.ts); once per document.
 */
export function innerSheet(doc: Document): CSSStyleSheet | undefined {
  // A key no tag name can be (tag names have no spaces).
  return sheetOf(doc, ' inner', () => (pillRules('.level', (c) => `.level[data-color='${c}']`) + progressCss) as ConstantCss);
}
