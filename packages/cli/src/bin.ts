#!/usr/bin/env node
import { run } from './run.js'

// exitCode rather than process.exit(), so that a large matrix written to a pipe is flushed first.
process.exitCode = run(process.argv.slice(2))
