import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

const project = useTempProjects()

describe('hostile pipeline files', () => {
  it('invalid UTF-8 is refused with its byte offset, line:column and a fix, not silently replaced', async () => {
    const dir = await project()
    const bytes = Buffer.concat([Buffer.from('name: x\nstages:\n  a: { run: "echo caf'), Buffer.from([0xe9]), Buffer.from('" }\n')])
    await writeFile(join(dir, 'pipewright.yml'), bytes)
    const validate = await runCli(['validate'], { cwd: dir })
    expect(validate.code).toBe(2)
    expect(validate.stdout).toMatch(/pipewright\.yml:3:22 not valid UTF-8 at byte 37 \(0xE9\)/)
    const run = await runCli(['run'], { cwd: dir })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^error PW_ERR_CONFIG_INVALID: .*pipewright\.yml:3:22: not valid UTF-8 at byte 37 \(0xE9\)$/m)
    expect(run.stderr).toMatch(/^fix: .*save pipewright\.yml as UTF-8/m)
  })

  it('an expression nested 10,000 deep is PW_ERR_EXPRESSION (exit 2), not a stack overflow', async () => {
    const deep = `${'('.repeat(10_000)}vars.x${')'.repeat(10_000)}`
    const dir = await project({ 'pipewright.yml': `name: deep\nstages:\n  a: { run: 'echo \${{ ${deep} }}' }\n` })
    const r = await runCli(['run'], { cwd: dir })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(/stages\.a\.run: Invalid expression "\(+…": Nested more than 100 levels deep at position 101$/m)
    expect(r.stderr).not.toMatch(/Maximum call stack/)
    expect(r.stderr.length).toBeLessThan(2000)
  })
})
