import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

const PIPELINE = `name: located
stages:
  lint:
    run: echo "lint says hi"
  test:
    needs: lint
    matrix:
      node: [18, 20]
    run: echo "test on \${{ matrix.node }}"
`

// The pipeline lives in a sub directory; the commands run from the directory above it, like
// `pnpm pipewright … -f examples/hello-service/pipewright.yml` from the repository root.
let root: string
let runId: string
const FILE = 'service/pipewright.yml'
beforeAll(async () => {
  root = await makeProject({ [FILE]: PIPELINE })
  const r = await runCli(['run', '-f', FILE, '--json'], { cwd: root })
  expect(r.code).toBe(0)
  runId = (JSON.parse(r.stdout) as { id: string }).id
})
afterAll(async () => {
  await removeProject(root)
})

describe('-f on runs, show and logs', () => {
  it('reads the store of the pipeline directory, from another working directory', async () => {
    expect(existsSync(join(root, 'service/.pipewright/pipewright.db'))).toBe(true)

    const runs = await runCli(['runs', '-f', FILE, '--json'], { cwd: root })
    expect(runs.code).toBe(0)
    expect((JSON.parse(runs.stdout) as Array<{ id: string }>).map((r) => r.id)).toEqual([runId])

    const show = await runCli(['show', runId.slice(0, 8), '--file', FILE], { cwd: root })
    expect(show.code).toBe(0)
    expect(show.stdout).toContain(`run       ${runId}`)

    const logs = await runCli(['logs', runId, 'lint', '-f', FILE], { cwd: root })
    expect(logs.code).toBe(0)
    expect(logs.stdout.trim()).toBe('lint says hi')

    // Reading never creates a store where the command runs.
    expect(existsSync(join(root, '.pipewright'))).toBe(false)
  })

  it('--home wins over -f', async () => {
    const home = await makeProject()
    try {
      const r = await runCli(['--home', home, 'runs', '-f', FILE, '--json'], { cwd: root })
      expect(r.code).toBe(0)
      expect(JSON.parse(r.stdout)).toEqual([])
    } finally {
      await removeProject(home)
    }
  })

  it('a -f file that does not exist: PW_ERR_PIPELINE_NOT_FOUND', async () => {
    const r = await runCli(['runs', '-f', 'nope/pipewright.yml'], { cwd: root })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_PIPELINE_NOT_FOUND: Pipeline file nope\/pipewright\.yml does not exist/m)
  })
})

describe('read-only commands without a store', () => {
  it('runs, show and logs do not create one', async () => {
    const empty = await makeProject()
    try {
      const store = join(empty, '.pipewright')
      const runs = await runCli(['runs'], { cwd: empty })
      expect(runs.code).toBe(0)
      expect(runs.stdout).toContain(`No runs yet (no store at ${store})`)

      const json = await runCli(['runs', '--json'], { cwd: empty })
      expect(json.code).toBe(0)
      expect(JSON.parse(json.stdout)).toEqual([])

      for (const args of [['show', 'abc'], ['logs', 'abc'], ['logs', 'abc', 'lint']]) {
        const r = await runCli(args, { cwd: empty })
        expect(r.code).toBe(2)
        expect(r.stderr).toContain(`error PW_ERR_RUN_NOT_FOUND: Run abc not found: there is no store at ${store}`)
      }
      expect(existsSync(store)).toBe(false)
    } finally {
      await removeProject(empty)
    }
  })

  it('an unknown run in an existing store names the store', async () => {
    const r = await runCli(['show', 'no-such-run', '-f', FILE], { cwd: root })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`Run no-such-run not found in the store at ${join(root, 'service/.pipewright')}`)
  })
})

describe('logs <run> <stage>', () => {
  it('an unknown stage: PW_ERR_STAGE_NOT_FOUND with the run\'s stages and a suggestion, exit 2', async () => {
    const r = await runCli(['logs', runId, 'tset', '-f', FILE], { cwd: root })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(new RegExp(`^error PW_ERR_STAGE_NOT_FOUND: Run ${runId} has no stage tset\\. Did you mean "test"\\?$`, 'm'))
    expect(r.stderr).toMatch(/^fix: Its stages are: lint, test, test\[node=18\], test\[node=20\]\.$/m)

    const far = await runCli(['logs', runId, 'deploy', '-f', FILE], { cwd: root })
    expect(far.code).toBe(2)
    expect(far.stderr).toMatch(/PW_ERR_STAGE_NOT_FOUND: .* has no stage deploy\.$/m)
  })

  it('a matrix instance id is a known stage', async () => {
    const r = await runCli(['logs', runId, 'test[node=20]', '-f', FILE], { cwd: root })
    expect(r.code).toBe(0)
    expect(r.stdout.trim()).toBe('test on 20')
  })
})
