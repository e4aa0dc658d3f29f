import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli, useTempProjects } from './helpers/cli.js'

const PIPELINE = `name: shop
environments:
  production:
    url: http://127.0.0.1:18102
    target: { uses: deploy/process, with: { command: [node, main.js] } }
    instances: 2
    protection: { approvals: 2, branches: [main] }
notify:
  - on: [run:failed, approval:requested]
    uses: notification/webhook
    with: { url: "http://127.0.0.1:9/hook" }
stages:
  build: { run: npm run build, artifacts: [dist/**], cache: { inputs: ["src/**"] } }
  test:
    needs: [build]
    uses: test-runner/vitest
    gates:
      - uses: test-runner/coverage
        with: { lines: 80 }
  deploy-prod:
    needs: [test]
    deploy: { environment: production, version: "1.0.0", from: build/dist }
`

describe('pipewright docs', () => {
  const project = useTempProjects()

  it('writes the pipeline as Markdown: diagram, stages, gates, environments with protection, notifications', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runCli(['docs'], { cwd: dir })
    expect(r.code).toBe(0)
    const doc = readFileSync(join(dir, 'docs/pipeline.md'), 'utf8')
    expect(doc).toContain('# Pipeline `shop`')
    expect(doc).toMatch(/```mermaid\nflowchart/)
    expect(doc).toContain('| test | build | `test-runner/vitest` | — |')
    expect(doc).toContain('| test | `test-runner/coverage` | `{"lines":80}` | — |')
    expect(doc).toContain('| production | `http://127.0.0.1:18102` | `deploy/process` × 2 | rolling | 2 approvals (not by whoever started the run) within 1440 min; branches `main` |')
    expect(doc).toContain('| `run:failed, approval:requested` | `notification/webhook` | any |')
    expect(doc).toContain('deploy `1.0.0` from `build/dist` to **production**')
    expect((await runCli(['docs', '--check'], { cwd: dir })).code).toBe(0)
  })

  it('--check fails after a pipeline edit, naming the first difference and the command that fixes it', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    expect((await runCli(['docs', '--out', 'PIPELINE.md'], { cwd: dir })).code).toBe(0)
    writeFileSync(join(dir, 'pipewright.yml'), PIPELINE.replace('approvals: 2', 'approvals: 1'))
    const r = await runCli(['docs', '--check', '--out', 'PIPELINE.md'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('PW_ERR_DOCS_OUTDATED: PIPELINE.md no longer matches pipewright.yml')
    expect(r.stderr).toContain('generated: | production |')
    expect(r.stderr).toContain('1 approval (not by whoever started the run)')
    expect(r.stderr).toContain('pipewright docs -f pipewright.yml --out PIPELINE.md')
    // Regenerated, it matches again.
    expect((await runCli(['docs', '--out', 'PIPELINE.md'], { cwd: dir })).code).toBe(0)
    expect((await runCli(['docs', '--check', '--out', 'PIPELINE.md'], { cwd: dir })).code).toBe(0)
  })

  it('--check without a document says how to make one', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const r = await runCli(['docs', '--check'], { cwd: dir })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/docs\/pipeline\.md does not exist/)
  })
})
