import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { deployPipeline, freePort, git, SERVICE, versionAt } from './helpers/deploy-project.js'
import { runCli, startCli, useTempProjects } from './helpers/cli.js'

interface Deployment {
  id: string
  kind: string
  version: string
  outcome: string
  strategy: string
  commit?: string
  triggeredBy?: string
  approvedBy: string[]
  runId: string
  replaces?: string
  rolledBackBy?: string
  error?: { message: string }
}

describe('deployments through the CLI (real agent, real processes, real HTTP)', () => {
  const project = useTempProjects()
  let dir: string | undefined
  afterEach(async () => {
    // Whatever happened, nothing this test deployed keeps running.
    if (dir) await runCli(['agent', 'stop', '--all'], { cwd: dir })
    dir = undefined
  })

  it('deploys to staging and, once someone else approves, to production; envs, history, rollback, deploy --version and diff tell and act on it', async () => {
    const ports = { staging: await freePort(), production: await freePort() }
    dir = await project({ 'pipewright.yml': deployPipeline(ports), 'server.mjs': SERVICE })
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', 'first')
    const cwd = dir
    const staging = `http://127.0.0.1:${ports.staging}/`
    const production = `http://127.0.0.1:${ports.production}/`

    // The run waits for production's approval; its trigger cannot give it.
    const first = startCli(['run', '--as', 'alice'], { cwd })
    const runId = (await first.waitFor(/^run (\S+) · svc/m))[1]!
    await first.waitFor(/waiting: production needs 1 approval: 0 of 1 \(nobody yet\); approve with `pipewright approve \S+ deploy-production --as <name>`/)
    expect(await versionAt(staging)).toBe('v1')
    const self = await runCli(['approve', runId, '--as', 'Alice'], { cwd })
    expect(self.code).toBe(2)
    expect(self.stderr).toContain(`error PW_ERR_APPROVAL_REFUSED: Alice triggered run ${runId} and cannot approve its deploy to production (protection.allow-self-approval is false)`)
    const approved = await runCli(['approve', runId.slice(0, 11), 'deploy-production', '--as', 'bob', '--comment', 'staging looks fine'], { cwd })
    expect(approved).toMatchObject({ code: 0, stdout: `Approved deploy-production of run ${runId} (deploy to production) as bob: 1 of 1 approval. The waiting run goes on within a few seconds.\n` })
    const done = await first.done
    expect(done.code, done.stdout + done.stderr).toBe(0)
    expect(done.stdout).toContain('deploy-production │ approved by bob: staging looks fine')
    expect(await versionAt(production)).toBe('v1')

    const envs = JSON.parse((await runCli(['envs', '--json'], { cwd })).stdout) as { agent: boolean; environments: Array<{ name: string; current: Deployment; live: { version: string; state: string }; lock: { queue: unknown[]; holder?: unknown } }> }
    expect(envs.agent).toBe(true)
    expect(envs.environments.map((e) => [e.name, e.current.version, e.live.version, e.live.state, e.lock.holder, e.lock.queue.length])).toEqual([
      ['staging', 'v1', 'v1', 'serving', undefined, 0],
      ['production', 'v1', 'v1', 'serving', undefined, 0],
    ])
    const text = (await runCli(['envs'], { cwd })).stdout
    expect(text).toContain('health    2/2 instances healthy')
    expect(text).toContain('protect   1 approval, no self-approval · branches main')

    // An unhealthy version leaves v1 serving; the stage says which check failed and its last answer.
    const bad = await runCli(['run', '--only', 'build', '--only', 'deploy-staging', '--var', 'version=bad-2'], { cwd })
    expect(bad.code).toBe(1)
    expect(bad.stdout).toMatch(/✗ deploy-staging PW_ERR_DEPLOYMENT_FAILED: Version bad-2 of staging did not become healthy: health check GET http:\/\/127\.0\.0\.1:\d+\/healthz of instance staging-\w+ did not pass in [\d.]+ s \(\d+ attempts\); last answered 503 "database unreachable"/)
    expect(await versionAt(staging)).toBe('v1')

    expect((await runCli(['run', '--only', 'build', '--only', 'deploy-staging', '--var', 'version=v2'], { cwd })).code).toBe(0)
    expect(await versionAt(staging)).toBe('v2')
    const back = await runCli(['rollback', 'staging', '--as', 'carol'], { cwd })
    expect(back.code, back.stderr).toBe(0)
    expect(await versionAt(staging)).toBe('v1')
    const again = await runCli(['deploy', 'staging', '--version', 'v2'], { cwd })
    expect(again.code, again.stderr).toBe(0)
    expect(await versionAt(staging)).toBe('v2')

    const history = JSON.parse((await runCli(['history', 'staging', '--json'], { cwd })).stdout) as Deployment[]
    expect(history.map((d) => [d.kind, d.version, d.outcome])).toEqual([
      ['deploy', 'v2', 'succeeded'],
      ['rollback', 'v1', 'succeeded'],
      ['deploy', 'v2', 'rolled-back'],
      ['deploy', 'bad-2', 'failed'],
      ['deploy', 'v1', 'succeeded'],
    ])
    expect(history[1]).toMatchObject({ replaces: history[2]!.id, triggeredBy: 'carol' })
    expect(history[2]).toMatchObject({ rolledBackBy: history[1]!.id })
    expect(history[3]!.error!.message).toContain('last answered 503 "database unreachable"')
    const [prod] = JSON.parse((await runCli(['history', 'production', '--json'], { cwd })).stdout) as Deployment[]
    expect(prod).toMatchObject({ kind: 'deploy', version: 'v1', outcome: 'succeeded', strategy: 'canary', triggeredBy: 'alice', approvedBy: ['bob'], runId, commit: git(cwd, 'rev-parse', 'HEAD') })

    // A commit shipped to staging only: diff lists it.
    await writeFile(join(cwd, 'server.mjs'), `${SERVICE}// faster\n`)
    git(cwd, 'commit', '-qam', 'make it faster')
    expect((await runCli(['run', '--only', 'build', '--only', 'deploy-staging', '--var', 'version=v3'], { cwd })).code).toBe(0)
    const diff = await runCli(['diff', 'staging', 'production'], { cwd })
    expect(diff.stdout).toMatch(/^staging runs v3 @ \w{12}; production runs v1 @ \w{12}\n\n1 commit in staging, not in production:\n {2}\w{12} make it faster \(Dev One\)\n$/)

    // A rejection fails the deploy with the approver's words.
    const second = startCli(['run', '--as', 'alice', '--var', 'version=v3'], { cwd })
    const secondId = (await second.waitFor(/^run (\S+) · svc/m))[1]!
    await second.waitFor(/waiting: production needs 1 approval/)
    expect((await runCli(['reject', secondId, '--as', 'dana', '--comment', 'not on a Friday'], { cwd })).code).toBe(0)
    const rejected = await second.done
    expect(rejected.code).toBe(1)
    expect(rejected.stdout).toContain('✗ deploy-production PW_ERR_APPROVAL_REJECTED: dana rejected the deploy to production: not on a Friday')
    expect(await versionAt(production)).toBe('v1')
  }, 240_000)

  it('keeps approvals through a kill -9 of the waiting process: the resumed run deploys without asking again', async () => {
    const ports = { staging: await freePort(), production: await freePort() }
    dir = await project({ 'pipewright.yml': deployPipeline(ports), 'server.mjs': SERVICE })
    git(dir, 'init', '-q', '-b', 'main')
    git(dir, 'add', '-A')
    git(dir, 'commit', '-qm', 'first')
    const cwd = dir
    const first = startCli(['run', '--as', 'alice'], { cwd, detached: true })
    const runId = (await first.waitFor(/^run (\S+) · svc/m))[1]!
    await first.waitFor(/waiting: production needs 1 approval/)
    const shown = JSON.parse((await runCli(['show', runId, '--json'], { cwd })).stdout) as { stages: Array<{ stageId: string; waiting?: { since: number; kind: string } }> }
    const since = shown.stages.find((s) => s.stageId === 'deploy-production')!.waiting!.since
    first.child.kill('SIGKILL')
    await first.done

    expect((await runCli(['approve', runId, '--as', 'bob'], { cwd })).code).toBe(0)
    const resumed = await runCli(['run', '--resume', runId], { cwd })
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0)
    expect(resumed.stdout).toContain('approved by bob')
    expect(resumed.stdout).not.toContain('waiting: production needs')
    expect(await versionAt(`http://127.0.0.1:${ports.production}/`)).toBe('v1')
    const [prod] = JSON.parse((await runCli(['history', 'production', '--json'], { cwd })).stdout) as Deployment[]
    expect(prod).toMatchObject({ runId, approvedBy: ['bob'], triggeredBy: 'alice', outcome: 'succeeded' })
    expect(since).toBeGreaterThan(0)
  }, 120_000)
})
