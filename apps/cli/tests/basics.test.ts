import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

let dir: string
beforeAll(async () => {
  dir = await makeProject()
})
afterAll(async () => {
  await removeProject(dir)
})

describe('pipewright (program)', () => {
  it('--help lists the commands and teaches with examples', async () => {
    const r = await runCli(['--help'], { cwd: dir })
    expect(r.code).toBe(0)
    for (const command of ['init', 'validate', 'run', 'runs', 'show', 'logs', 'graph', 'schema', 'plugins', 'doctor', 'watch', 'plugin']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
    const run = await runCli(['run', '--help'], { cwd: dir })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Examples:')
    expect(run.stdout).toContain('--resume <run>')
  })

  it('exits 2 on usage errors (unknown command, unknown option, missing argument)', async () => {
    const unknown = await runCli(['frobnicate'], { cwd: dir })
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("unknown command 'frobnicate'")

    const option = await runCli(['runs', '--bogus'], { cwd: dir })
    expect(option.code).toBe(2)
    expect(option.stderr).toContain("unknown option '--bogus'")

    const missing = await runCli(['show'], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain("missing required argument 'run'")
  })

  it('schema prints a valid JSON Schema document', async () => {
    const r = await runCli(['schema'], { cwd: dir })
    expect(r.code).toBe(0)
    const schema = JSON.parse(r.stdout) as { type?: string; properties?: Record<string, unknown> }
    expect(schema.type).toBe('object')
    expect(Object.keys(schema.properties ?? {})).toEqual(expect.arrayContaining(['name', 'stages']))
  })

  it('a command without a pipeline file explains how to get one, exit 2', async () => {
    const r = await runCli(['run'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_PIPELINE_NOT_FOUND: /m)
    expect(r.stderr).toMatch(/^fix: .*pipewright init/m)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})
