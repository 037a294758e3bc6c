/*
 * The mocha globals @web/test-runner provides in the browser. No @types/mocha is installed and the
 * repo typechecks with `types: ["node"]`, so browser tests get exactly these declarations.
 */
type MochaDone = (error?: unknown) => void;
type MochaFn = (this: unknown, done: MochaDone) => void | Promise<unknown>;
type MochaSuiteFn = () => void;

declare function describe(title: string, fn: MochaSuiteFn): void;
declare function it(title: string, fn?: MochaFn): void;
declare function before(fn: MochaFn): void;
declare function after(fn: MochaFn): void;
declare function beforeEach(fn: MochaFn): void;
declare function afterEach(fn: MochaFn): void;
