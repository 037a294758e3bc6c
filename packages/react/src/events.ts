import type { EventName } from '@lit/react';
import type { TkErrorEvent, TkLoadEvent } from '@tierkit/components';

/** The events every connected widget emits, as typed React props. */
export const loadEvents = {
  onTkLoad: 'tk-load' as EventName<TkLoadEvent>,
  onTkError: 'tk-error' as EventName<TkErrorEvent>,
} as const;
