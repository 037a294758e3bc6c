import assert from 'node:assert/strict';

/** What starts a CLI line reporting an action (packages/cli, `actionLine`): its UTC time with the zone, then the level. */
const ACTION_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) INFO {2}/;

/** A line reporting an action, without its time: asserts it has one, in UTC with its zone, not in the future. */
export function untimed(line: string): string {
  const m = ACTION_TIME.exec(line);
  assert.ok(m, `an action's line starts with its UTC time: ${line}`);
  assert.ok(Date.parse(m[1] as string) <= Date.now(), line);
  return line.slice(m[0].length);
}
