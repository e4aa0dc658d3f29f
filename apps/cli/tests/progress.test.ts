import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

const project = useTempProjects()

describe('progress of a silent stage in plain output', () => {
  it('prints "<stage> still running (…)" after PIPEWRIGHT_PROGRESS_INTERVAL of silence', async () => {
    const dir = await project({ 'pipewright.yml': 'name: quiet\nstages:\n  wait:\n    run: sleep 2\n' })
    const r = await runCli(['run'], { cwd: dir, env: { PIPEWRIGHT_PROGRESS_INTERVAL: '400ms' } })
    expect(r.code).toBe(0)
    const lines = r.stdout.split('\n')
    const progress = lines.filter((l) => l.startsWith('wait still running'))
    expect(progress.length).toBeGreaterThanOrEqual(1)
    for (const l of progress) expect(l).toMatch(/^wait still running \(\d+s\)$/)
    // Between the stage's start and its end.
    expect(lines.indexOf(progress[0]!)).toBeGreaterThan(lines.indexOf('▶ wait'))
    expect(lines.findIndex((l) => l.startsWith('✓ wait'))).toBeGreaterThan(lines.indexOf(progress.at(-1)!))
  })

  it('refuses a PIPEWRIGHT_PROGRESS_INTERVAL that is not a duration (exit 2)', async () => {
    const dir = await project({ 'pipewright.yml': 'name: quiet\nstages:\n  wait:\n    run: "true"\n' })
    const r = await runCli(['run'], { cwd: dir, env: { PIPEWRIGHT_PROGRESS_INTERVAL: 'soon' } })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_USAGE: PIPEWRIGHT_PROGRESS_INTERVAL=soon is not a duration/m)
  })
})
