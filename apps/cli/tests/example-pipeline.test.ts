import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli, startCli } from './helpers/cli.js'
import { freePort, versionAt } from './helpers/deploy-project.js'

// The README's main command runs this pipeline (npm run demo): keep it working.
const REPO = resolve(__dirname, '../../..')
const PIPELINE = join(REPO, 'examples/hello-service/pipewright.yml')

/** The local registry started by tools/docker/up.sh, when it is up (always in CI). */
function dockerEnv(): Record<string, string> {
  const file = join(REPO, 'tools/docker/.state/env')
  if (!existsSync(file)) return {}
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!]),
  )
}

let home: string | undefined
afterAll(async () => {
  if (home) {
    await runCli(['agent', 'stop', '--all', '--home', home], { cwd: REPO })
    await rm(home, { recursive: true, force: true })
  }
})

describe('the example pipeline (npm run demo)', () => {
  it('checks out, lints, tests behind gates, builds and releases the example service, deploys it to staging and (approved by someone else) production; ships its image when a registry is up', async () => {
    home = await mkdtemp(join(tmpdir(), 'pw-example-'))
    const docker = dockerEnv()
    if (!docker.DOCKER_HOST && process.env.CI === 'true') throw new Error('CI must start the Docker engine first (bash tools/docker/up.sh)')
    const vars = docker.DOCKER_HOST ? ['--var', `registry=${docker.PIPEWRIGHT_TEST_REGISTRY}`] : []
    const ports = { staging: await freePort(), production: await freePort() }
    const running = startCli(['run', '-f', PIPELINE, '--home', home, '--json', '--as', 'developer', '--var', `staging_port=${ports.staging}`, '--var', `production_port=${ports.production}`, ...vars], { cwd: REPO, env: { DOCKER_HOST: docker.DOCKER_HOST } })
    // Production waits for one approval by someone other than the trigger: given as the demo gives it.
    let approval = { code: -1 as number | null, stdout: '', stderr: '' }
    for (let i = 0; i < 600 && running.child.exitCode === null; i++) {
      const [run] = JSON.parse((await runCli(['runs', '-f', PIPELINE, '--home', home, '--json', '--limit', '1'], { cwd: REPO })).stdout) as Array<{ id: string; waiting: string | null }>
      if (run?.waiting?.includes('approval')) {
        approval = await runCli(['approve', run.id, 'deploy-production', '-f', PIPELINE, '--home', home, '--as', 'release-manager'], { cwd: REPO })
        break
      }
      await new Promise((r) => setTimeout(r, 500))
    }
    const result = await running.done
    expect(approval.code, approval.stderr).toBe(0)
    expect(result.stderr).not.toContain('error PW_ERR')
    const run = JSON.parse(result.stdout) as { status: string; stages: Array<{ id: string; status: string; outputs: Record<string, string> }> }
    const stage = (id: string) => run.stages.find((s) => s.id === id)!
    // On failure, say which stages failed and why (the run's JSON carries each stage's error).
    const failed = run.stages.filter((s) => s.status !== 'succeeded' && s.status !== 'skipped')
    expect(run.status, JSON.stringify(failed, null, 2)).toBe('succeeded')
    expect(result.code).toBe(0)
    for (const id of ['checkout', 'version', 'lint', 'test', 'build', 'release', 'deploy-staging', 'assess-risk', 'deploy-production', 'report']) expect(stage(id).status).toBe('succeeded')
    // The deliberately broken release was rolled back by its post-deploy verification; staging serves the good one again.
    expect(stage('deploy-broken')).toMatchObject({ status: 'failed', outputs: { outcome: 'rolled-back' } })
    const version = stage('deploy-production').outputs.version!
    expect(version.startsWith(`${stage('version').outputs.version}+`)).toBe(true)
    expect(stage('checkout').outputs.sha!.startsWith(version.split('+')[1]!)).toBe(true)
    expect(stage('deploy-production').outputs).toMatchObject({ url: `http://127.0.0.1:${ports.production}`, version, outcome: 'succeeded', strategy: 'canary' })
    expect(await versionAt(`http://127.0.0.1:${ports.staging}/version`)).toBe(version)
    expect(await versionAt(`http://127.0.0.1:${ports.production}/version`)).toBe(version)
    expect(stage('checkout').outputs.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(Number(stage('test').outputs.passed)).toBeGreaterThan(0)
    expect(stage('test').outputs.failed).toBe('0')
    expect(stage('lint').outputs.errors).toBe('0')
    // A rerun of the unchanged service is served from the cache where it can be (the deploys
    // are left out: production would wait for an approval again).
    const again = await runCli(['run', '-f', PIPELINE, '--home', home, '--json', '--only', 'lint', '--only', 'test', '--only', 'build'], { cwd: REPO })
    const rerun = JSON.parse(again.stdout) as typeof run
    expect(rerun.status).toBe('succeeded')
    for (const id of ['lint', 'test', 'build']) expect(rerun.stages.find((s) => s.id === id)?.status, id).toBe('cached')
    if (docker.DOCKER_HOST) {
      expect(stage('push').outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      const tags = (await (await fetch(`http://${docker.PIPEWRIGHT_TEST_REGISTRY}/v2/hello-service/tags/list`)).json()) as { tags: string[] }
      expect(tags.tags).toContain('latest')
    } else {
      expect(stage('push').status).toBe('skipped')
    }
  }, 240_000)
})
