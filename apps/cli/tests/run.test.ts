import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {runCli, startCli, useTempProjects } from './helpers/cli.js'

const PIPELINE = `name: demo
stages:
  lint:
    run: echo "linting \${{ vars.greeting }}"
  test:
    needs: lint
    matrix:
      node: [18, 20]
    run: |
      echo "testing on \${{ matrix.node }}"
      if [ "\${{ matrix.node }}" = "20" ] && [ -f fail-on-20 ]; then exit 3; fi
  build:
    needs: test
    run: echo built >> built.txt
`

const project = useTempProjects()

describe('pipewright run', () => {
  it('prints plain progress lines and a summary, exit 0', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runCli(['run', '--var', 'greeting=hello=world'], { cwd: dir })
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines).toContain('▶ lint')
    expect(lines).toContain('lint │ linting hello=world')
    expect(lines).toContain('test[node=20] │ testing on 20')
    expect(lines.some((l) => /^✓ lint \(\d+\.\d+s\)$/.test(l))).toBe(true)
    expect(lines.some((l) => /^✓ build \(\d+\.\d+s\)$/.test(l))).toBe(true)
    expect(r.stdout).toMatch(/^✓ demo succeeded in \d+\.\d+s \(4 succeeded\)$/m)
    expect(await readFile(join(dir, 'built.txt'), 'utf8')).toBe('built\n')
  })

  it('exit 1 when a stage fails; the failed matrix instance shows its exit code; dependents are skipped', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE, 'fail-on-20': '' })
    const r = await runCli(['run', '--var', 'greeting=x'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stdout).toMatch(/^✗ test\[node=20\] exit 3 \(\d+\.\d+s\)$/m)
    expect(r.stdout).toMatch(/^✓ test\[node=18\] \(\d+\.\d+s\)$/m)
    expect(r.stdout).toMatch(/^○ build skipped$/m)
    expect(r.stdout).toMatch(/^✗ demo failed in /m)
    expect(r.stdout).toMatch(/logs: pipewright logs \S+ <stage>/)
  })

  it('--json prints one JSON document and nothing else on stdout', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE, 'fail-on-20': '' })
    const r = await runCli(['run', '--json', '--var', 'greeting=x'], { cwd: dir })
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as {
      id: string
      status: string
      stages: Array<{ id: string; status: string; attempts: number; exitCode: number | null; durationMs: number; outputs: Record<string, string> }>
    }
    expect(doc.id).toMatch(/\S+/)
    expect(doc.status).toBe('failed')
    expect(doc.stages.map((s) => [s.id, s.status])).toEqual([
      ['lint', 'succeeded'],
      ['test[node=18]', 'succeeded'],
      ['test[node=20]', 'failed'],
      ['build', 'skipped'],
    ])
    const failed = doc.stages.find((s) => s.id === 'test[node=20]')
    expect(failed).toMatchObject({ attempts: 1, exitCode: 3, outputs: {} })
    expect(typeof failed?.durationMs).toBe('number')
    // Progress goes to stderr so scripts can still watch it.
    expect(r.stderr).toContain('▶ lint')
  })

  it('--only runs just the named stage', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runCli(['run', '--only', 'lint', '--var', 'greeting=x', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { stages: Array<{ id: string; status: string }> }
    expect(doc.stages.filter((s) => s.status === 'succeeded').map((s) => s.id)).toEqual(['lint'])
  })

  it('exit 2 for an invalid pipeline, and for invalid options', async () => {
    const dir = await project({ 'pipewright.yml': 'name: broken\nstages:\n  a:\n    needs: b\n    run: echo a\n' })
    const r = await runCli(['run'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_CONFIG_INVALID: /m)
    expect(r.stderr).toMatch(/^ {2}pipewright\.yml:4:\d+ stages\.a\.needs/m)
    expect(r.stderr).toMatch(/^fix: /m)
    expect(r.stdout).toBe('')

    const conc = await runCli(['run', '--concurrency', 'lots'], { cwd: dir })
    expect(conc.code).toBe(2)
    expect(conc.stderr).toMatch(/^error PW_ERR_USAGE: --concurrency lots/m)

    const v = await runCli(['run', '--var', 'novalue'], { cwd: dir })
    expect(v.code).toBe(2)
    expect(v.stderr).toContain('--var novalue is not of the form name=value')
  })

  it('SIGINT cancels the run through the engine: exit 130, running stage cancelled', async () => {
    const dir = await project({
      'pipewright.yml': `name: slow
stages:
  quick:
    run: echo quick
  slow:
    needs: quick
    run: echo slow-started; sleep 30; echo never
  after:
    needs: slow
    run: echo after > after.txt
`,
    })
    const cli = startCli(['run'], { cwd: dir })
    await cli.waitFor(/slow │ slow-started/)
    cli.child.kill('SIGINT')
    const r = await cli.done
    expect(r.code).toBe(130)
    expect(r.stdout).toContain('cancelling…')
    expect(r.stdout).toMatch(/^⊘ slow cancelled/m)
    expect(r.stdout).not.toContain('never')
    expect(r.stdout).toMatch(/resume it: pipewright run --resume \S+/)
  })

  it('a second SIGINT exits at once with 130, even while a stage ignores the cancel', async () => {
    const dir = await project({ 'pipewright.yml': "name: stubborn\nstages:\n  hold:\n    run: trap '' TERM INT; echo holding; sleep 8\n" })
    const cli = startCli(['run'], { cwd: dir, detached: true })
    await cli.waitFor(/hold │ holding/)
    cli.child.kill('SIGINT')
    await cli.waitFor(/cancelling…/)
    cli.child.kill('SIGINT')
    const r = await cli.done
    expect(r.code).toBe(130)
    // It left without waiting for the run to wind down: no closing summary.
    expect(r.stdout).not.toMatch(/^⊘ stubborn cancelled/m)
    try {
      process.kill(-(cli.child.pid as number), 'SIGKILL')
    } catch {
      // the stage already went away with its process group
    }
  })
})
