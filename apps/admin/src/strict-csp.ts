import { config } from 'zod';

/*
 * Imported first by main.ts, before any module that builds a zod schema (the engine's validator the
 * policy editor runs is written in zod). zod compiles fast parsers with `new Function` and probes
 * for it when a schema is built; under the console's Trusted Types CSP that probe is a violation
 * reported on the console, even though zod catches it. Jitless zod never tries.
 */
config({ jitless: true });
