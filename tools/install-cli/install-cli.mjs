#!/usr/bin/env node
// `npm run install-cli` (after setup): installs the `pipewright` command globally from tarballs
// packed here, so it can be used on any project. The work is in src/install.ts, which reuses
// tools/pack-test's packing; jiti (a dependency of @pipewright/core) runs the TypeScript.
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const { createJiti } = createRequire(`${root}packages/core/package.json`)('jiti')
const { installCli, installedReport } = await createJiti(import.meta.url).import('./src/install.ts')

const say = (line) => console.log(line === '' ? '' : `install-cli: ${line}`)
try {
  const installed = await installCli(say)
  console.log()
  for (const line of installedReport(installed)) console.log(line)
} catch (error) {
  console.error(`install-cli: failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
}
