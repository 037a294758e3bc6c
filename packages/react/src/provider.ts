import * as React from 'react';
import { createComponent } from '@lit/react';
// The element's own entry: exports the class and registers `tk-provider` (guarded).
import { TkProvider as TkProviderElement } from '@tierkit/components/provider';

/** `<tk-provider>` for React: `client`, `baseUrl`, `token`, `subject`, `locale`, `currency`, `theme` as props. */
export const TkProvider = createComponent({
  react: React,
  tagName: 'tk-provider',
  elementClass: TkProviderElement,
  displayName: 'TkProvider',
});
