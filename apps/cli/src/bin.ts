#!/usr/bin/env node
// tsyringe (in the engine and plugins) needs the Reflect polyfill before any of them loads.
import 'reflect-metadata'

const { main } = await import('./index.js')
const code = await main(process.argv)
process.exitCode = code
// A stray handle (a plugin's socket, a stage's orphan) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2000).unref()
