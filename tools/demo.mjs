#!/usr/bin/env node
// Runs the example pipeline end to end with the built CLI on the embedded store
// (examples/hello-service/.pipewright). Uses a local Docker engine + registry when one is up
// (bash tools/docker/up.sh), and says so when not.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const pipeline = join(root, 'examples/hello-service/pipewright.yml')
const env = { ...process.env }
const dockerEnv = join(root, 'tools/docker/.state/env')
if (existsSync(dockerEnv)) {
  for (const line of readFileSync(dockerEnv, 'utf8').split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m && env[m[1]] === undefined) env[m[1]] = m[2]
  }
}
const vars = []
if (env.DOCKER_HOST && env.PIPEWRIGHT_TEST_REGISTRY) vars.push('--var', `registry=${env.PIPEWRIGHT_TEST_REGISTRY}`)
else console.log('demo: no Docker engine configured; the image stages will be skipped (start one with: bash tools/docker/up.sh)')

const cli = join(root, 'apps/cli/dist/bin.js')
const args = process.argv.slice(2)
const r = spawnSync(process.execPath, [cli, 'run', '-f', pipeline, ...vars, ...args], { stdio: 'inherit', env })
if (r.status === 0) {
  console.log(`\nNext: pnpm pipewright runs -f ${'examples/hello-service/pipewright.yml'}`)
  console.log('      pnpm pipewright show <run-id> -f examples/hello-service/pipewright.yml')
}
process.exit(r.status ?? 1)
