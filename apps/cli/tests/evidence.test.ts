import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort, git, SERVICE } from './helpers/deploy-project.js'
import { runCli, startCli, useTempProjects } from './helpers/cli.js'

const JUNIT = `<?xml version="1.0"?><testsuites><testsuite name="unit" tests="3" failures="0" skipped="1"><testcase classname="app" name="adds" time="0.01"/><testcase classname="app" name="subtracts" time="0.01"/><testcase classname="app" name="later" time="0"><skipped/></testcase></testsuite></testsuites>`

function pipeline(port: number): string {
  return `name: svc
environments:
  production:
    url: http://127.0.0.1:${port}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    health: { path: /healthz, interval: 100ms, startup-timeout: 3s }
    protection: { approvals: 1 }
stages:
  lint:
    uses: linter/run
    with:
      command: "echo 'src/app.js:3:7: warning: x is unused'"
      pattern: '^(?<file>[^:]+):(?<line>\\d+):(?<column>\\d+): (?<severity>error|warning): (?<message>.+)$'
  test:
    uses: test-runner/run
    with: { command: "cp fixtures/junit.xml junit.xml", junit: junit.xml }
  build:
    needs: [lint, test]
    run: mkdir -p dist && cp server.mjs dist/ && echo v1 > dist/version.txt
    artifacts: [dist/**]
  deploy-production:
    needs: [build]
    deploy: { environment: production, version: "1.0.0", from: build/dist }
`
}

describe('pipewright evidence', () => {
  const project = useTempProjects()
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await runCli(['agent', 'stop', '--all'], { cwd: dir })
    dir = undefined
  })

  it('writes JSON, Markdown and HTML for a real deployment: who, commits, tests, lint, approvals, outcome, audit entries', async () => {
    const port = await freePort()
    dir = await project({ 'pipewright.yml': pipeline(port), 'server.mjs': SERVICE, 'fixtures/junit.xml': JUNIT })
    const cwd = dir
    git(cwd, 'init', '-q', '-b', 'main')
    git(cwd, 'add', '-A')
    git(cwd, 'commit', '-qm', 'first <b>bold</b> | piped')
    const run = startCli(['run', '--as', 'alice'], { cwd })
    const runId = (await run.waitFor(/^run (\S+) · svc/m))[1]!
    await run.waitFor(/waiting: production needs 1 approval/)
    expect((await runCli(['approve', runId, '--as', 'bob', '--comment', 'tests <green>'], { cwd })).code).toBe(0)
    const done = await run.done
    expect(done.code, done.stdout + done.stderr).toBe(0)
    const [deployment] = JSON.parse((await runCli(['history', 'production', '--json'], { cwd })).stdout) as Array<{ id: string }>

    const r = await runCli(['evidence', deployment!.id.slice(0, 10), '--out', 'bundle'], { cwd })
    expect(r.stderr).toBe('')
    expect(r.stdout).toBe(`Wrote the evidence of ${deployment!.id} (1.0.0 to production) to bundle/: evidence.json, evidence.md, evidence.html\n`)
    const bundle = JSON.parse(readFileSync(join(cwd, 'bundle/evidence.json'), 'utf8'))
    const sha = git(cwd, 'rev-parse', 'HEAD')
    expect(bundle).toMatchObject({
      format: 'pipewright-evidence/1',
      deployment: { id: deployment!.id, environment: 'production', version: '1.0.0', outcome: 'succeeded', triggeredBy: 'alice', approvedBy: ['bob'], commit: sha, artifactDigest: expect.stringMatching(/^sha256:/) },
      run: { id: runId, triggeredBy: 'alice', trigger: 'cli' },
      commits: [{ sha, author: 'Dev One <dev@example.com>', subject: 'first <b>bold</b> | piped' }],
      tests: [{ stageId: 'test', total: 3, passed: 2, failed: 0, skipped: 1 }],
      lint: [{ stageId: 'lint', tool: 'run', errors: 0, warnings: 1 }],
      approvals: [{ by: 'bob', decision: 'approved', comment: 'tests <green>' }],
      verification: { outcome: 'succeeded' },
    })
    expect(bundle.audit.map((e: { action: string }) => e.action)).toEqual(['run.triggered', 'approval.requested', 'approval.approved', 'deploy.started', 'deploy.finished', 'run.finished'])

    const md = readFileSync(join(cwd, 'bundle/evidence.md'), 'utf8')
    expect(md).toContain('# Deployment evidence: svc 1.0.0 to production')
    expect(md).toContain('| Approved by | bob |')
    expect(md).toContain(`| ${sha.slice(0, 12)} | Dev One <dev@example.com> |`)
    expect(md).toContain('first <b>bold</b> \\| piped')
    expect(md).toContain('| bob | approved |')
    expect(md).toContain('| test | 3 | 2 | 0 | 1 | 0 |')
    const html = readFileSync(join(cwd, 'bundle/evidence.html'), 'utf8')
    expect(html).toContain('<td>tests &lt;green&gt;</td>')
    expect(html).toContain('first &lt;b&gt;bold&lt;/b&gt; | piped')
    expect(html).not.toContain('<b>bold</b>')
    expect(html).not.toMatch(/<script|https?:\/\/(?!127\.0\.0\.1)/)

    const again = await runCli(['evidence', deployment!.id, '--out', 'bundle'], { cwd })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('bundle/evidence.json already exists')
    const missing = await runCli(['evidence', 'dep-nope'], { cwd })
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('PW_ERR_DEPLOYMENT_NOT_FOUND: Deployment dep-nope is not in the store')
  }, 180_000)
})
