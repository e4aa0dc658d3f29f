import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runCli } from './helpers/cli.js'

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
  if (home) await rm(home, { recursive: true, force: true })
})

describe('the example pipeline (npm run demo)', () => {
  it('checks out, lints, tests behind gates, builds and releases the example service; ships its image when a registry is up', async () => {
    home = await mkdtemp(join(tmpdir(), 'pw-example-'))
    const docker = dockerEnv()
    if (!docker.DOCKER_HOST && process.env.CI === 'true') throw new Error('CI must start the Docker engine first (bash tools/docker/up.sh)')
    const vars = docker.DOCKER_HOST ? ['--var', `registry=${docker.PIPEWRIGHT_TEST_REGISTRY}`] : []
    const result = await runCli(['run', '-f', PIPELINE, '--home', home, '--json', ...vars], { cwd: REPO, env: { DOCKER_HOST: docker.DOCKER_HOST } })
    expect(result.stderr).not.toContain('error PW_ERR')
    const run = JSON.parse(result.stdout) as { status: string; stages: Array<{ id: string; status: string; outputs: Record<string, string> }> }
    const stage = (id: string) => run.stages.find((s) => s.id === id)!
    expect(run.status).toBe('succeeded')
    expect(result.code).toBe(0)
    for (const id of ['checkout', 'version', 'lint', 'test', 'build', 'release', 'report']) expect(stage(id).status).toBe('succeeded')
    expect(stage('checkout').outputs.sha).toMatch(/^[0-9a-f]{40}$/)
    expect(Number(stage('test').outputs.passed)).toBeGreaterThan(0)
    expect(stage('test').outputs.failed).toBe('0')
    expect(stage('lint').outputs.errors).toBe('0')
    // A rerun of the unchanged service is served from the cache where it can be.
    const again = await runCli(['run', '-f', PIPELINE, '--home', home, '--json'], { cwd: REPO })
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
  })
})
