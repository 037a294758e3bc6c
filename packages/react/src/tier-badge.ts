import * as React from 'react';
import { createComponent } from '@lit/react';
import { TkTierBadge as TkTierBadgeElement } from '@tierkit/components/tier-badge';
import { loadEvents } from './events.js';

/** `<tk-tier-badge>` for React; `data` is set as a property, `onTkLoad` / `onTkError` are typed. */
export const TkTierBadge = createComponent({
  react: React,
  tagName: 'tk-tier-badge',
  elementClass: TkTierBadgeElement,
  events: loadEvents,
  displayName: 'TkTierBadge',
});
