#!/usr/bin/env -S node --import tsx
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2));
