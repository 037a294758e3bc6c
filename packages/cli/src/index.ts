export { run, USAGE } from './run.js';
