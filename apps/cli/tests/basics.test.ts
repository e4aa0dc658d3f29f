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
    for (const command of ['init', 'validate', 'run', 'runs', 'show', 'logs', 'graph', 'schema', 'plugins', 'doctor', 'watch', 'plugin', 'report', 'docs']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'))
    }
    const run = await runCli(['run', '--help'], { cwd: dir })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('Examples:')
    expect(run.stdout).toContain('--resume <run>')
  })

  it('help examples show run ids in the format real runs get', async () => {
    const project = await makeProject({ 'pipewright.yml': 'name: ids\nstages:\n  hello:\n    run: echo hi\n' })
    try {
      const real = (JSON.parse((await runCli(['run', '--json'], { cwd: project })).stdout) as { id: string }).id
      // Same shape: lower-case base-36 time, a dash, six hex digits (not a ULID, not upper case).
      const shape = (id: string) => id.replace(/[0-9a-z]/g, '.')
      const examples: string[] = []
      for (const command of ['run', 'show', 'logs']) {
        const help = (await runCli([command, '--help'], { cwd: dir })).stdout
        for (const m of help.matchAll(/\$ pipewright (?:run --resume|show|logs) (\S+)/g)) examples.push(m[1]!)
      }
      expect(examples.length).toBeGreaterThanOrEqual(8)
      for (const id of examples) {
        if (id.length === real.length) expect(shape(id)).toBe(shape(real))
        else expect(shape(real).startsWith(shape(id))).toBe(true) // a prefix, as people paste them
      }
      expect(real).toMatch(/^[0-9a-z]+-[0-9a-f]{6}$/)
    } finally {
      await removeProject(project)
    }
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
