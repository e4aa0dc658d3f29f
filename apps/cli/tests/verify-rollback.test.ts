import { afterEach, describe, expect, it } from 'vitest'
import { freePort, git } from './helpers/deploy-project.js'
import { runCli, startCli, useTempProjects } from './helpers/cli.js'

/**
 * A service whose version comes from version.txt. A `broken…` version answers normally for
 * 1.5 s after it starts, then 500 on every path (its health check too): it passes the deploy's
 * own health check and only post-deploy verification can catch it.
 */
const SERVICE = `import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
const version = readFileSync(new URL('./version.txt', import.meta.url), 'utf8').trim()
const started = Date.now()
createServer((req, res) => {
  const broken = version.startsWith('broken') && Date.now() - started > 1500
  res.writeHead(broken ? 500 : 200, { 'content-type': 'application/json' })
  res.end(JSON.stringify(broken ? { version, error: 'connection pool exhausted' } : { version }))
}).listen(Number(process.env.PORT), '127.0.0.1')
`

function pipeline(port: number): string {
  return `name: svc
environments:
  staging:
    url: http://127.0.0.1:${port}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    instances: 2
    health: { path: /healthz, interval: 100ms, startup-timeout: 5s }
    strategy: { blue-green: { keep-previous: 5m } }
stages:
  build:
    run: mkdir -p dist && cp server.mjs dist/ && echo "\${{ vars.version || 'v1' }}" > dist/version.txt
    artifacts: [dist/**]
  deploy:
    needs: [build]
    deploy:
      environment: staging
      version: "\${{ vars.version || 'v1' }}"
      from: build/dist
      verify:
        window: 6s
        interval: 200ms
        failure-limit: 1
        monitors:
          - uses: monitoring/http
            with: { url: /healthz, timeout: 1s }
`
}

interface Answer {
  sentAt: number
  status: number
  version: string
}

/** A client hammering a url, one request after another, until stopped; every answer kept. */
function hammer(url: string): { answers: Answer[]; stop(): Promise<void> } {
  const answers: Answer[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      const sentAt = Date.now()
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) })
        const body = (await res.json()) as { version: string }
        answers.push({ sentAt, status: res.status, version: body.version })
      } catch (error) {
        answers.push({ sentAt, status: 0, version: String((error as Error).cause ?? error) })
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  })()
  return {
    answers,
    async stop() {
      running = false
      await loop
    },
  }
}

interface Deployment {
  id: string
  kind: string
  version: string
  outcome: string
  finishedAt: number
  replaces?: string
  rolledBackBy?: string
  verification?: { reason: string; evidence: { condition?: string; samples: Array<{ values: { status: number } }> } }
}

describe('post-deploy verification through the CLI (real agent, real processes, real HTTP)', () => {
  const project = useTempProjects()
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await runCli(['agent', 'stop', '--all'], { cwd: dir })
    dir = undefined
  })

  it('rolls back a release that starts answering 500 inside the window — no request served by it after the rollback — then latches the environment until ack', async () => {
    const port = await freePort()
    dir = await project({ 'pipewright.yml': pipeline(port), 'server.mjs': SERVICE })
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', 'first')
    const cwd = dir
    const url = `http://127.0.0.1:${port}/`

    // v1 stays healthy: the stage waits as verifying (show says so, with the latest sample), then succeeds.
    const first = startCli(['run'], { cwd })
    const runId = (await first.waitFor(/^run (\S+) · svc/m))[1]!
    await first.waitFor(/verifying v1 on staging for 6s with monitoring\/http/)
    let shown = ''
    for (let i = 0; i < 50 && !/latest: monitoring\/http successful status=200/.test(shown); i++) {
      shown = (await runCli(['show', runId], { cwd })).stdout
      await new Promise((r) => setTimeout(r, 200))
    }
    expect(shown).toMatch(/waiting verifying v1 on staging: .* of 6s, \d+ measurement\(s\), 0 failed; latest: monitoring\/http successful status=200 latencyMs=\d+ \(verifying, since/)
    const done = await first.done
    expect(done.code, done.stdout + done.stderr).toBe(0)

    // broken-2 passes the deploy's health check, then turns 500: rolled back inside the window.
    const client = hammer(url)
    const bad = await runCli(['run', '--var', 'version=broken-2'], { cwd })
    await new Promise((r) => setTimeout(r, 1_000))
    await client.stop()
    expect(bad.code, bad.stdout + bad.stderr).toBe(1)
    expect(bad.stdout).toMatch(/✗ deploy PW_ERR_VERIFICATION_FAILED: broken-2 on staging turned unhealthy and was rolled back to v1: failed after [\d.]+m?s of its 6s verification window: 2 failed measurement\(s\), more than failure-limit 1; monitor monitoring\/http reported unhealthy; last: GET http:\/\/127\.0\.0\.1:\d+\/healthz answered 500/)

    const history = JSON.parse((await runCli(['history', 'staging', '--json'], { cwd })).stdout) as Deployment[]
    expect(history.map((d) => [d.kind, d.version, d.outcome])).toEqual([['rollback', 'v1', 'succeeded'], ['deploy', 'broken-2', 'rolled-back'], ['deploy', 'v1', 'succeeded']])
    const [rollback, rolledBack] = history
    expect(rollback).toMatchObject({ replaces: rolledBack!.id })
    expect(rolledBack).toMatchObject({ rolledBackBy: rollback!.id, verification: { evidence: { condition: 'monitor monitoring/http reported unhealthy' } } })
    expect(rolledBack!.verification!.evidence.samples.map((s) => s.values.status)).toContain(500)

    // The bad version did serve (the client saw it), and nothing it served was asked for after the rollback completed.
    const served = client.answers
    expect(served.some((a) => a.version === 'broken-2')).toBe(true)
    const after = served.filter((a) => a.sentAt > rollback!.finishedAt)
    expect(after.length).toBeGreaterThan(0)
    expect(after.filter((a) => a.status !== 200 || a.version !== 'v1')).toEqual([])

    // Latched: the next deploy is refused with the reason until someone acknowledges.
    const envs = (await runCli(['envs'], { cwd })).stdout
    expect(envs).toMatch(/verdict {3}failed · verify · .* — 2 failed measurement\(s\)/)
    expect(envs).toMatch(/latched {3}deploys refused since .*: broken-2 was rolled back automatically — failed after/)
    const refused = await runCli(['run', '--var', 'version=v3'], { cwd })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/✗ deploy PW_ERR_ENVIRONMENT_LATCHED: staging is latched since .* UTC: broken-2 was rolled back automatically \(run \S+\)/)
    expect((await runCli(['history', 'staging', '--json'], { cwd })).stdout).not.toContain('"v3"')
    const acked = await runCli(['ack', 'staging', '--as', 'oncall', '--comment', 'pool size fixed in v3'], { cwd })
    expect(acked).toMatchObject({ code: 0, stdout: 'Acknowledged the automatic rollback of broken-2 on staging as oncall: pool size fixed in v3. Deploys to staging are allowed again.\n' })
    const again = await runCli(['ack', 'staging', '--as', 'oncall'], { cwd })
    expect(again.code).toBe(2)
    expect(again.stderr).toContain('PW_ERR_ENVIRONMENT_NOT_LATCHED: staging is not latched')
    const v3 = await runCli(['run', '--var', 'version=v3'], { cwd })
    expect(v3.code, v3.stdout + v3.stderr).toBe(0)
    expect(((await (await fetch(url)).json()) as { version: string }).version).toBe('v3')
    expect((await runCli(['envs'], { cwd })).stdout).toContain('latch     acknowledged by oncall')
  }, 240_000)
})
