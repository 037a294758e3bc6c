import * as React from 'react';
import { createComponent } from '@lit/react';
import { TkTierTimeline as TkTierTimelineElement } from '@tierkit/components/tier-timeline';
import { loadEvents } from './events.js';

/** `<tk-tier-timeline>` for React; `data` and `schemes` are set as properties. */
export const TkTierTimeline = createComponent({
  react: React,
  tagName: 'tk-tier-timeline',
  elementClass: TkTierTimelineElement,
  events: loadEvents,
  displayName: 'TkTierTimeline',
});
