import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { freePort, git, versionAt } from './helpers/deploy-project.js'
import { runCli, useTempProjects } from './helpers/cli.js'

/**
 * A service whose version comes from version.txt. A `broken…` version passes its health check
 * (`/healthz` answers 200) but answers 500 on every other path from the start: the agent's own
 * checks let it through, only an analysis of what it serves can catch it.
 */
const SERVICE = `import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
const version = readFileSync(new URL('./version.txt', import.meta.url), 'utf8').trim()
createServer((req, res) => {
  const broken = version.startsWith('broken') && req.url !== '/healthz'
  res.writeHead(broken ? 500 : 200, { 'content-type': 'application/json' })
  res.end(JSON.stringify(broken ? { version, error: 'connection pool exhausted' } : { version }))
}).listen(Number(process.env.PORT), '127.0.0.1')
`

/**
 * Canary steps 20% and 60%, each analyzed by 10 probes of the environment's `/` (100 ms apart)
 * through its router: the router splits deterministically, so 2 of every 10 go to the canary at 20%.
 */
function pipeline(port: number, advisory: boolean): string {
  return `name: svc
environments:
  staging:
    url: http://127.0.0.1:${port}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    health: { path: /healthz, interval: 100ms, startup-timeout: 5s }
notify:
  - on: [rollback:started, analysis:finished]
    uses: notification/file
    with: { path: notifications.jsonl }
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
      strategy:
        canary:
          steps: [20, 60, 100]
          analysis:
            count: 10
            interval: 100ms
            failure-limit: 0
            advisory: ${advisory}
            success-condition: result.status == 200
            monitors:
              - uses: monitoring/http
                with: { url: /, timeout: 1s, expected-status: [2xx, 5xx] }
`
}

interface Deployment {
  kind: string
  version: string
  outcome: string
  verification?: { reason: string; evidence: { condition?: string; step?: number; measurements: { failed: number }; samples: Array<{ values: { status: number } }> } }
}

/** Sends `n` requests through the environment's router, one after another, and counts the answers by version. */
async function countVersions(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {}
  for (let i = 0; i < n; i++) {
    const version = await versionAt(url)
    counts[version] = (counts[version] ?? 0) + 1
  }
  return counts
}

/** The deploy stage's log of the run a `pipewright run` printed. */
async function deployLog(cwd: string, run: { stdout: string }): Promise<string> {
  const runId = run.stdout.match(/^run (\S+) · svc/m)?.[1]
  expect(runId, run.stdout).toBeDefined()
  return (await runCli(['logs', runId!, 'deploy'], { cwd })).stdout
}

describe('analysis between canary steps through the CLI (real agent, real processes, real HTTP)', () => {
  const project = useTempProjects()
  let dir: string | undefined
  afterEach(async () => {
    if (dir) await runCli(['agent', 'stop', '--all'], { cwd: dir })
    dir = undefined
  })

  async function setUp(advisory: boolean): Promise<{ cwd: string; url: string }> {
    const port = await freePort()
    dir = await project({ 'pipewright.yml': pipeline(port, advisory), 'server.mjs': SERVICE })
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', 'first')
    const cwd = dir
    // Nothing serves yet: the first version is a plain switch, no steps to analyse.
    const first = await runCli(['run'], { cwd })
    expect(first.code, first.stdout + first.stderr).toBe(0)
    expect(first.stdout).not.toMatch(/canary 20%: analyzing/)
    return { cwd, url: `http://127.0.0.1:${port}/` }
  }

  it('promotes a healthy canary through every analyzed step; aborts a broken one at its first step — never 100%, every request back on the stable version — and latches the environment', async () => {
    const { cwd, url } = await setUp(false)

    const good = await runCli(['run', '--var', 'version=v2'], { cwd })
    expect(good.code, good.stdout + good.stderr).toBe(0)
    const goodLog = await deployLog(cwd, good)
    expect(goodLog).toMatch(/canary 20%: analyzing v2 on staging with monitoring\/http for 10 measurement\(s\)/)
    expect(goodLog).toMatch(/canary 20%: analysis successful — 10 measurement\(s\), 0 failed/)
    expect(goodLog).toMatch(/canary 60%: analysis successful — 10 measurement\(s\), 0 failed/)
    expect(goodLog).toMatch(/100% of traffic to v2/)
    expect(await countVersions(url, 20)).toEqual({ v2: 20 })

    const bad = await runCli(['run', '--var', 'version=broken-3'], { cwd })
    expect(bad.code, bad.stdout + bad.stderr).toBe(1)
    expect(bad.stdout).toMatch(/✗ deploy PW_ERR_ANALYSIS_FAILED: The canary of broken-3 on staging was aborted at its 20% step and never promoted: analysis failed after [\d.]+m?s at the 20% step: 1 failed measurement\(s\), more than failure-limit 0; success-condition not met: result.status == 200; last: GET http:\/\/127\.0\.0\.1:\d+\/ answered 500 in \d+ ms; v2 serves all traffic again/)
    const badLog = await deployLog(cwd, bad)
    expect(badLog).toMatch(/20% of traffic to broken-3/)
    expect(badLog).not.toMatch(/60% of traffic to broken-3/)
    expect(badLog).not.toMatch(/100% of traffic to broken-3/)
    expect(badLog).toMatch(/All traffic back to v2/)

    // After the abort, every request through the router is served by the stable version.
    expect(await countVersions(url, 100)).toEqual({ v2: 100 })

    const history = JSON.parse((await runCli(['history', 'staging', '--json'], { cwd })).stdout) as Deployment[]
    expect(history.map((d) => [d.kind, d.version, d.outcome])).toEqual([['deploy', 'broken-3', 'rolled-back'], ['deploy', 'v2', 'succeeded'], ['deploy', 'v1', 'succeeded']])
    const { verification } = history[0]!
    expect(verification).toMatchObject({ evidence: { step: 20, condition: 'success-condition not met: result.status == 200', measurements: { failed: 1 } } })
    expect(verification!.evidence.samples.map((s) => s.values.status)).toContain(500)

    // The abort was notified (rollback:started), and every step's verdict with it.
    const notified = readFileSync(join(cwd, 'notifications.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; title: string; text: string })
    expect(notified.map((n) => n.event)).toEqual(['analysis:finished', 'analysis:finished', 'analysis:finished', 'rollback:started'])
    expect(notified.at(-1)!.text).toMatch(/broken-3 is being rolled back in staging\.\nReason: failed after .* at the 20% step/)

    const envs = (await runCli(['envs'], { cwd })).stdout
    expect(envs).toMatch(/verdict {3}failed · analysis · .* — failed after [\d.]+m?s at the 20% step/)
    expect(envs).toMatch(/latched {3}deploys refused since .*: broken-3 was rolled back automatically/)
    const refused = await runCli(['run', '--var', 'version=v4'], { cwd })
    expect(refused.code).toBe(1)
    expect(refused.stdout).toMatch(/PW_ERR_ENVIRONMENT_LATCHED: staging is latched/)
  }, 240_000)

  it('advisory: a failing analysis is recorded, never acted on', async () => {
    const { cwd, url } = await setUp(true)
    const bad = await runCli(['run', '--var', 'version=broken-2'], { cwd })
    expect(bad.code, bad.stdout + bad.stderr).toBe(0)
    const log = await deployLog(cwd, bad)
    expect(log).toMatch(/canary 20%: analysis failed after [\d.]+m?s at the 20% step: 1 failed measurement\(s\), more than failure-limit 0; .* \(advisory: the canary goes on\)/)
    expect(log).toMatch(/100% of traffic to broken-2/)
    expect(await versionAt(url)).toBe('status 500')
    const history = JSON.parse((await runCli(['history', 'staging', '--json'], { cwd })).stdout) as Deployment[]
    expect(history[0]).toMatchObject({ version: 'broken-2', outcome: 'succeeded' })
    expect(history[0]!.verification).toBeUndefined()
    const envs = (await runCli(['envs'], { cwd })).stdout
    expect(envs).toMatch(/verdict {3}failed \(advisory\) · analysis · /)
    expect(envs).not.toMatch(/latched {3}deploys refused/)
  }, 240_000)
})
