/*
 * Runs before the console's modules (a classic script; module scripts wait for it). The policy
 * editor runs the engine's validator, which is written in zod; zod compiles fast parsers with
 * `new Function` and probes for it when a schema is built, which the console's Trusted Types CSP
 * reports as a violation even though zod catches it. zod reads this global configuration when it
 * loads, so no schema — in whichever bundle chunk it is built — ever probes. It must not wait for a
 * module: with the console split into chunks, a chunk's schemas are built before the entry's code runs.
 */
globalThis.__zod_globalConfig = Object.assign(globalThis.__zod_globalConfig || {}, { jitless: true });
