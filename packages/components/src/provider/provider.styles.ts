import { css } from 'lit';
import { themeStyles } from '../common/theme.styles.js';

export default [
  themeStyles,
  css`
    /* The provider draws nothing itself; its tokens reach slotted widgets by inheritance. */
    :host { display: contents; }
  `,
];
