/*
 * Events every widget emits. All are Event subclasses that bubble and cross shadow roots, with
 * readonly fields, so a host listens on the element, the provider or the document alike. The fields
 * are `declare`d: the constructor assigns them, so a class-field definition would only repeat their
 * names in every bundle.
 */

/** A connected widget received its data (fired for fetched data, not for a controlled `data`). */
export class TkLoadEvent extends Event {
  static readonly eventName = 'tk-load';
  /** Which read completed: `tiers`, `entitlements`, `history`, `matrix`, `scheme`. */
  declare readonly resource: string;
  constructor(resource: string) {
    super(TkLoadEvent.eventName, { bubbles: true, composed: true });
    this.resource = resource;
  }
}

/** A connected widget failed to load; the widget shows an error state with a retry button. */
export class TkErrorEvent extends Event {
  static readonly eventName = 'tk-error';
  declare readonly resource: string;
  declare readonly error: unknown;
  constructor(resource: string, error: unknown) {
    super(TkErrorEvent.eventName, { bubbles: true, composed: true });
    this.resource = resource;
    this.error = error;
  }
}

declare global {
  interface HTMLElementEventMap {
    'tk-load': TkLoadEvent;
    'tk-error': TkErrorEvent;
  }
}
