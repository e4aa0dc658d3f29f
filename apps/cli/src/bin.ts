#!/usr/bin/env node
import { createRequire } from 'node:module'

// `pipewright --version` is asked by scripts and shells all day: answer it before loading anything.
const args = process.argv.slice(2)
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${(createRequire(import.meta.url)('../package.json') as { version: string }).version}\n`)
  process.exit(0)
}

// tsyringe (in the engine and plugins) needs the Reflect polyfill before any of them loads.
await import('reflect-metadata')

// `pipewright show … | head`: the reader closing the pipe early is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw error
  })
}

const { main } = await import('./index.js')
const code = await main(process.argv)
process.exitCode = code
// A stray handle (a plugin's socket, a stage's orphan) must not keep a finished command alive.
setTimeout(() => process.exit(code), 2000).unref()
