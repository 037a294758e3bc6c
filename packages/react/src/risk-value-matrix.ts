import * as React from 'react';
import { createComponent, type EventName } from '@lit/react';
import { TkRiskValueMatrix as TkRiskValueMatrixElement, TkCellSelectEvent } from '@tierkit/components/risk-value-matrix';
import { loadEvents } from './events.js';

/** `<tk-risk-value-matrix>` for React; `onTkCellSelect` receives the cell and its filter. */
export const TkRiskValueMatrix = createComponent({
  react: React,
  tagName: 'tk-risk-value-matrix',
  elementClass: TkRiskValueMatrixElement,
  events: { ...loadEvents, onTkCellSelect: TkCellSelectEvent.eventName as EventName<TkCellSelectEvent> },
  displayName: 'TkRiskValueMatrix',
});

export type { TkCellSelectEvent };
