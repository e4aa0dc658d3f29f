import { execFileSync } from 'node:child_process'
import { definePlugin, z, type Clock, type MonitorSample } from '@pipewright/plugin-api'
import type { Deployer, DeployerRequest, DeployerResult, EnvironmentRequest } from '../../src/deploy/deployer.js'

/**
 * A deployer that records what it was asked and answers as told. The engine's side of deploys
 * (protection, locks, records) is what these tests check; the real agent behind the real
 * deployer is tested in @pipewright/agent and through the CLI.
 */
export function recordingDeployer(answer: (request: DeployerRequest) => Partial<DeployerResult> = () => ({})) {
  const calls: Array<{ kind: 'deploy'; request: DeployerRequest } | { kind: 'rollback'; environment: EnvironmentRequest; toVersion?: string }> = []
  const serving = new Map<string, string[]>()
  const deployer: Deployer = {
    async deploy(request, options) {
      calls.push({ kind: 'deploy', request })
      options.onProgress({ level: 'info', message: `deploying ${request.version}` })
      const result = answer(request)
      const history = serving.get(request.environment.name) ?? []
      const previous = history.at(-1)
      if ((result.outcome ?? 'succeeded') === 'succeeded') serving.set(request.environment.name, [...history, request.version])
      return { outcome: 'succeeded', version: request.version, strategy: request.strategy.kind, startedAt: Date.now(), finishedAt: Date.now(), ...(previous ? { previousVersion: previous } : {}), ...result }
    },
    async rollback(environment, request) {
      calls.push({ kind: 'rollback', environment, ...(request.toVersion ? { toVersion: request.toVersion } : {}) })
      const history = serving.get(environment.name) ?? []
      const current = history.at(-1)
      const target = request.toVersion ?? history.at(-2)
      if (!target) return { outcome: 'failed', version: 'none', strategy: 'switch-back', startedAt: Date.now(), finishedAt: Date.now(), error: { code: 'PW_ERR_DEPLOYMENT_FAILED', message: 'nothing to roll back to' } }
      serving.set(environment.name, [...history, target])
      return { outcome: 'succeeded', version: target, ...(current ? { previousVersion: current } : {}), strategy: 'switch-back', startedAt: Date.now(), finishedAt: Date.now() }
    },
  }
  return { deployer, calls, serving }
}

/** A clock whose sleeps end at once, moving time forward by their length. */
export function autoClock(start: number): Clock & { calls: number } {
  let now = start
  const clock = {
    calls: 0,
    now: () => now,
    sleep: async (ms: number, signal?: AbortSignal) => {
      clock.calls++
      if (signal?.aborted) throw signal.reason
      now += ms
      await new Promise((r) => setImmediate(r))
    },
  }
  return clock
}

/** Makes `dir` a git repository on `branch` with one commit; returns its sha. */
export function gitInit(dir: string, branch = 'main', date?: string): string {
  const dates = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {}
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x', ...dates } }).trim()
  git('init', '-q', '-b', branch)
  git('add', '-A')
  git('commit', '-qm', 'init')
  return git('rev-parse', 'HEAD')
}

export async function until<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 20))
  }
}

/**
 * A plugin registering the target type `deploy/process` (config: a command list), so pipelines
 * validate as they would with the real plugin; the recording deployer never calls it.
 */
export const processTargetPlugin = definePlugin({
  id: 'deploy',
  apiVersion: 1,
  register(api) {
    api.target('process', {
      configSchema: z.object({ command: z.array(z.string()).min(1) }),
      start: () => {
        throw new Error('not called in these tests')
      },
      stop: () => undefined,
      check: () => ({ alive: true }),
    })
  },
})

/**
 * `live/errors`: samples `{ errors }` from `live.errors` (the test changes it) every 20 ms;
 * healthy while it is 0. `with: { fail: true }` makes its start throw.
 */
export function errorsProbe() {
  const live = { errors: 0 }
  const probe = definePlugin({
    id: 'live',
    apiVersion: 1,
    register(api) {
      api.monitor('errors', {
        configSchema: z.object({ interval: z.number().default(20), url: z.string(), fail: z.boolean().default(false) }),
        start(_ctx, config) {
          if (config.fail) throw new Error('the probe cannot start')
          const stop = new AbortController()
          async function* samples(): AsyncGenerator<MonitorSample> {
            while (!stop.signal.aborted) {
              yield { at: Date.now(), healthy: live.errors === 0, values: { errors: live.errors }, reason: `${config.url} errors=${live.errors}` }
              await new Promise((r) => setTimeout(r, config.interval))
            }
          }
          return { samples: samples(), stop: async () => stop.abort() }
        },
      })
    },
  })
  return { live, probe }
}

/** `shop`: staging (on 127.0.0.1:18301) watched by `live/errors` every 20 ms, healed by at most 2 restarts; one deploy stage. */
export const SHOP_PIPELINE = `name: shop
environments:
  staging:
    url: http://127.0.0.1:18301
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    monitors:
      interval: 20
      unhealthy-after: 2
      healthy-after: 2
      failure-condition: result.errors > 0
      monitors: [{ uses: live/errors, with: { url: /healthz } }]
      healing: { action: restart, max: 2, backoff: 50ms }
stages:
  deploy:
    deploy: { environment: staging, version: "1.0.0", from: . }
`

/**
 * `series/values`: yields `values[i]` as the sample values every `every` ms (real time), healthy
 * when `errors` is 0, then repeats the last one; records how many are left running.
 */
export const running = { monitors: 0 }
export const series = definePlugin({
  id: 'series',
  apiVersion: 1,
  register(api) {
    api.monitor('values', {
      configSchema: z.object({ values: z.array(z.record(z.string(), z.number())).min(1), interval: z.number().default(20), url: z.string().optional() }),
      start(_ctx, config) {
        running.monitors++
        const stop = new AbortController()
        async function* samples(): AsyncGenerator<MonitorSample> {
          for (let i = 0; !stop.signal.aborted; i++) {
            const values = config.values[Math.min(i, config.values.length - 1)]!
            yield { at: Date.now(), healthy: (values.errors ?? 0) === 0, values, reason: `${config.url ?? ''} errors=${values.errors ?? 0}` }
            await new Promise((r) => setTimeout(r, config.interval))
          }
        }
        return { samples: samples(), stop: async () => { if (!stop.signal.aborted) running.monitors--; stop.abort() } }
      },
    })
  },
})
