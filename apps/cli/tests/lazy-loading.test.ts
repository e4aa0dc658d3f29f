import { readFile, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

// Start-up time is what a user feels first: a command loads only what it uses. The fixture logs
// every ES module the CLI process resolves.
const project = useTempProjects()
const TRACE = pathToFileURL(resolve(__dirname, 'fixtures/trace-imports.mjs')).href

async function modulesLoadedBy(args: string[], cwd: string): Promise<string[]> {
  const log = join(cwd, 'imports.log')
  await writeFile(log, '')
  const result = await runCli(args, { cwd, env: { NODE_OPTIONS: `--import ${TRACE}`, PW_TRACE_IMPORTS: log } })
  expect(result.code, result.stderr).toBe(0)
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean)
}

describe('what a command loads', () => {
  it('--version loads neither the engine nor the store', async () => {
    const loaded = await modulesLoadedBy(['--version'], await project())
    expect(loaded.some((url) => url.includes('/apps/cli/dist/bin.js'))).toBe(true)
    expect(loaded.filter((url) => /better-sqlite3|\/zod\/|\/yaml\/|@pipewright\/core|packages\/core\//.test(url))).toEqual([])
  })

  it('a run of a pipeline without environments loads neither the deployment agent, nor a second copy of the engine, nor the TypeScript loader', async () => {
    const dir = await project({ 'pipewright.yml': 'name: plain\nstages:\n  a: { run: "true" }\n' })
    const loaded = await modulesLoadedBy(['run', '--home', join(dir, 'home')], dir)
    expect(loaded.some((url) => url.includes('/apps/cli/dist/'))).toBe(true)
    expect(loaded.filter((url) => /packages\/agent\/|http-proxy|packages\/core\/dist|\/jiti\//.test(url))).toEqual([])
    // Reports and their chart renderer load only for \`pipewright report\`.
    expect(loaded.filter((url) => /packages\/insight\/|\/vega/.test(url))).toEqual([])
  })
})
