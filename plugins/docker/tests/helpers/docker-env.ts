import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDockerClient } from '../../src/client.js'

/** Where `bash tools/docker/up.sh` writes the engine and registry addresses. */
export const STATE_ENV_FILE = fileURLToPath(new URL('../../../../tools/docker/.state/env', import.meta.url))

export interface DockerTestEnv {
  dockerHost: string
  /** `127.0.0.1:5000`: no auth. */
  registry: string
  /** `127.0.0.1:5001`: htpasswd auth. */
  authRegistry: string
  user: string
  password: string
}

function readStateFile(): Record<string, string> {
  try {
    const entries = readFileSync(STATE_ENV_FILE, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1]!, m[2]!] as const)
    return Object.fromEntries(entries)
  } catch {
    return {}
  }
}

let cached: Promise<DockerTestEnv | undefined> | undefined

async function probe(): Promise<DockerTestEnv | undefined> {
  // Nothing in the tests may read or write the user's ~/.docker (e.g. credentials of a login).
  process.env.DOCKER_CONFIG ??= mkdtempSync(join(tmpdir(), 'pw-docker-config-'))
  // process.env wins, so CI or a developer can point the tests at another engine.
  const vars = { ...readStateFile(), ...Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined)) } as Record<string, string>
  const env: DockerTestEnv = {
    dockerHost: vars.DOCKER_HOST ?? '',
    registry: vars.PIPEWRIGHT_TEST_REGISTRY ?? '',
    authRegistry: vars.PIPEWRIGHT_TEST_AUTH_REGISTRY ?? '',
    user: vars.PIPEWRIGHT_TEST_REGISTRY_USER ?? '',
    password: vars.PIPEWRIGHT_TEST_REGISTRY_PASSWORD ?? '',
  }
  let problem: string | undefined
  if (!env.dockerHost || !env.registry || !env.authRegistry || !env.password) {
    problem = `no Docker test environment (neither ${STATE_ENV_FILE} nor DOCKER_HOST + PIPEWRIGHT_TEST_REGISTRY* variables)`
  } else {
    try {
      await (await createDockerClient({ host: env.dockerHost }).engine()).ping()
      const answer = await fetch(`http://${env.registry}/v2/`)
      if (answer.status !== 200) problem = `registry ${env.registry} answered ${answer.status}`
    } catch (error) {
      problem = `Docker engine or registry not reachable: ${(error as Error).message}`
    }
  }
  if (problem === undefined) return env
  if (process.env.CI === 'true') {
    throw new Error(`docker plugin tests need a Docker engine in CI: ${problem}. .ci/run must run \`bash tools/docker/up.sh\` first.`)
  }
  // No warning here: each test file runs this in its own worker, so it would repeat per file. The
  // skipped tests carry DOCKER_SKIP_REASON instead, which the run's summary says once.
  return undefined
}

declare module 'vitest' {
  interface TaskMeta {
    /** Why a skipped test was skipped; the run's closing summary counts tests by it. */
    skipReason?: string
  }
}

/** Why engine tests were skipped, as the run's closing summary says it (tools/vitest-summary-reporter.ts). */
export const DOCKER_SKIP_REASON = 'Docker engine not reachable: start it with bash tools/docker/up.sh'

/**
 * Options for a `describe` of engine tests: skipped when no engine runs, with the reason for the
 * summary — `describe('…', needsDocker(env), () => …)`.
 */
export function needsDocker(env: DockerTestEnv | undefined): { skip: boolean; meta: { skipReason: string } } {
  return { skip: !env, meta: { skipReason: DOCKER_SKIP_REASON } }
}

/**
 * The engine and registries the tests use, or undefined (the tests skip, see needsDocker) when
 * none runs. With CI=true a missing engine is an error: CI always starts one.
 */
export function dockerTestEnv(): Promise<DockerTestEnv | undefined> {
  cached ??= probe()
  return cached
}

/** A name no other test run uses, for images and repositories. */
export function uniqueName(prefix: string): string {
  return `pw-${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`
}

/**
 * Removes images by reference or id, one at a time: parallel removals of tags of one image each
 * only untag it and can leave the image behind.
 */
export async function removeImages(env: DockerTestEnv, refs: Array<string | undefined>): Promise<void> {
  const docker = await createDockerClient({ host: env.dockerHost }).engine()
  for (const ref of refs) {
    if (ref) await docker.getImage(ref).remove({ force: true }).catch(() => undefined)
  }
}
