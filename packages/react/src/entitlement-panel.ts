import * as React from 'react';
import { createComponent } from '@lit/react';
import { TkEntitlementPanel as TkEntitlementPanelElement } from '@tierkit/components/entitlement-panel';
import { loadEvents } from './events.js';

/** `<tk-entitlement-panel>` for React. */
export const TkEntitlementPanel = createComponent({
  react: React,
  tagName: 'tk-entitlement-panel',
  elementClass: TkEntitlementPanelElement,
  events: loadEvents,
  displayName: 'TkEntitlementPanel',
});
