import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

const PIPELINE = `name: inspect
stages:
  lint:
    run: echo "lint line one"; echo "lint line two" >&2
  test:
    needs: lint
    matrix:
      node: [18, 20]
    run: echo "test on \${{ matrix.node }}"
`

let dir: string
let runId: string
beforeAll(async () => {
  dir = await makeProject({ 'pipewright.yml': PIPELINE })
  const r = await runCli(['run', '--json'], { cwd: dir })
  expect(r.code).toBe(0)
  runId = (JSON.parse(r.stdout) as { id: string }).id
})
afterAll(async () => {
  await removeProject(dir)
})

describe('inspecting runs', () => {
  it('runs lists the run (table and --json)', async () => {
    const table = await runCli(['runs'], { cwd: dir })
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(new RegExp(`^✓\\s+${runId}\\s+inspect\\s+succeeded`, 'm'))

    const json = await runCli(['runs', '--json', '--limit', '1'], { cwd: dir })
    const rows = JSON.parse(json.stdout) as Array<{ id: string; status: string; pipeline: string }>
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({ id: runId, status: 'succeeded', pipeline: 'inspect' })
  })

  it('show prints stages in plan order with statuses, and accepts an id prefix', async () => {
    const r = await runCli(['show', runId.slice(0, 8)], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`run       ${runId}`)
    const stageLines = r.stdout.split('\n').filter((l) => /^[✓✗○◆⊘·] /.test(l))
    expect(stageLines.slice(1).map((l) => l.split(' ')[1])).toEqual(['lint', 'test[node=18]', 'test[node=20]'])

    const json = await runCli(['show', runId, '--json'], { cwd: dir })
    const doc = JSON.parse(json.stdout) as { run: { id: string; status: string }; stages: Array<{ stageId: string; status: string }> }
    expect(doc.run).toMatchObject({ id: runId, status: 'succeeded' })
    expect(doc.stages.map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'succeeded'])
  })

  it('show of an unknown run: PW_ERR_RUN_NOT_FOUND, exit 2', async () => {
    const r = await runCli(['show', 'no-such-run'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_RUN_NOT_FOUND: Run no-such-run not found/m)
  })

  it('logs prints every stage, or one stage (matrix instances included)', async () => {
    const all = await runCli(['logs', runId], { cwd: dir })
    expect(all.code).toBe(0)
    expect(all.stdout.split('\n')).toEqual(expect.arrayContaining(['lint │ lint line one', 'lint │ lint line two', 'test[node=20] │ test on 20']))

    const lint = await runCli(['logs', runId, 'lint'], { cwd: dir })
    expect(lint.stdout.trim().split('\n')).toEqual(['lint line one', 'lint line two'])

    const test = await runCli(['logs', runId, 'test'], { cwd: dir })
    expect(test.stdout.trim().split('\n').sort()).toEqual(['test[node=18] │ test on 18', 'test[node=20] │ test on 20'])
  })

  it('logs --follow returns once the run has ended', async () => {
    const r = await runCli(['logs', runId, '--follow'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('lint │ lint line one')
  })

  it('--home and PIPEWRIGHT_HOME choose another store', async () => {
    const home = await makeProject()
    try {
      const viaFlag = await runCli(['--home', home, 'runs', '--json'], { cwd: dir })
      expect(JSON.parse(viaFlag.stdout)).toEqual([])
      const viaEnv = await runCli(['runs', '--json'], { cwd: dir, env: { PIPEWRIGHT_HOME: home } })
      expect(JSON.parse(viaEnv.stdout)).toEqual([])
    } finally {
      await removeProject(home)
    }
  })
})
