import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

// linter/max-issues on a linter/run stage whose command reports one error: the gate fails with
// evidence — a real first-party gate, no Docker or eslint needed.
const PIPELINE = `name: gated
stages:
  build:
    run: echo "key=v1" >> "$PIPEWRIGHT_OUTPUT"; echo built
    cache:
      inputs: [src.txt]
  lint:
    needs: build
    uses: linter/run
    with:
      command: 'echo "src.txt:1:1: error: unused value"'
      pattern: '^(?<file>[^:]+):(?<line>\\d+):(?<column>\\d+): (?<severity>error|warning): (?<message>.+)$'
    gates:
      - uses: linter/max-issues
        with: { errors: 0 }
`

let dir: string
beforeAll(async () => {
  dir = await makeProject({ 'pipewright.yml': PIPELINE, 'src.txt': 'v1' })
})
afterAll(async () => {
  await removeProject(dir)
})

describe('gates, outputs and cache in run and show', () => {
  it('a failing gate fails its stage (exit 1); show prints the verdict, reason and evidence summary, and outputs', async () => {
    const r = await runCli(['run', '--json'], { cwd: dir })
    expect(r.code).toBe(1)
    const doc = JSON.parse(r.stdout) as { id: string; stages: Array<{ id: string; status: string; outputs: Record<string, string> }> }
    expect(doc.stages.find((s) => s.id === 'build')).toMatchObject({ status: 'succeeded', outputs: { key: 'v1' } })
    expect(doc.stages.find((s) => s.id === 'lint')?.status).toBe('failed')

    const show = await runCli(['show', doc.id], { cwd: dir })
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/^ {4}output key=v1$/m)
    expect(show.stdout).toMatch(/^✗ lint PW_ERR_GATE_FAILED: /m)
    expect(show.stdout).toMatch(/^ {4}gate linter\/max-issues: fail — 1 error exceeds the limit of 0\. \(evidence: \{"errors":1,"warnings":0,.*\)$/m)
  })

  it('validate reports a gate on a stage that does not write what it reads, with line:column (exit 2)', async () => {
    const project = await makeProject({ 'pipewright.yml': 'name: gated\nstages:\n  lint:\n    run: npx eslint .\n    gates:\n      - uses: linter/max-issues\n' })
    try {
      const r = await runCli(['validate'], { cwd: project })
      expect(r.code).toBe(2)
      expect(r.stdout + r.stderr).toContain(
        'pipewright.yml:6:9 stages.lint.gates.0.uses: gate linter/max-issues reads linter.problems, which stage `lint` (run:) does not write; use it on a linter/* stage (linter/eslint, linter/sarif or linter/run)',
      )
    } finally {
      await removeProject(project)
    }
  })

  it('an unchanged cached stage shows as cached; --no-cache runs it again', async () => {
    const cached = await runCli(['run', '--only', 'build'], { cwd: dir })
    expect(cached.code).toBe(0)
    expect(cached.stdout).toMatch(/^◆ build cached$/m)

    const fresh = await runCli(['run', '--only', 'build', '--no-cache'], { cwd: dir })
    expect(fresh.code).toBe(0)
    expect(fresh.stdout).toMatch(/^✓ build \(/m)
    expect(fresh.stdout).toContain('build │ built')
  })
})
