// Regenerates docs/errors.md from the error code registry: the engine's codes and the first-party
// plugins' (registered as they load). Run after a build: pnpm docs:generate
import 'reflect-metadata'
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { firstPartyErrorReference } from '../dist/index.js'

const target = fileURLToPath(new URL('../../../docs/errors.md', import.meta.url))
writeFileSync(target, await firstPartyErrorReference())
console.log(`wrote ${target}`)
