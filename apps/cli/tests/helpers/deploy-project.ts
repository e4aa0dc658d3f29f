import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach } from 'vitest'
import { runCli, useTempProjects, type CliResult, type RunningCli } from './cli.js'
import { createServer } from 'node:net'
import { request } from 'node:http'

/** A service the deploy tests put into environments: its version from version.txt, unhealthy when the version starts with `bad`. */
export const SERVICE = `import { createServer } from 'node:http'
import { readFileSync } from 'node:fs'
const version = readFileSync(new URL('./version.txt', import.meta.url), 'utf8').trim()
createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(version.startsWith('bad') ? 503 : 200)
    res.end(version.startsWith('bad') ? 'database unreachable' : 'ok')
    return
  }
  res.writeHead(200, { 'content-type': 'application/json' })
  res.end(JSON.stringify({ version }))
}).listen(Number(process.env.PORT), '127.0.0.1')
`

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

/** The version an environment's url answers with, or the HTTP status / error when it does not. */
export function versionAt(url: string): Promise<string> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 5_000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (c: string) => (body += c))
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as { version: string }).version : `status ${res.statusCode}`)
        } catch {
          resolve(`status ${res.statusCode}: ${body}`)
        }
      })
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
    req.end()
  })
}

/** Runs git in `dir` with a fixed author; returns its output. */
export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Dev One', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'Dev One', GIT_COMMITTER_EMAIL: 'dev@example.com' } }).trim()
}

/**
 * A pipeline with staging (blue-green, 2 instances) and production (canary, one approval, no
 * self-approval, main only), both on deploy/process, building the service into dist/.
 */
export function deployPipeline(ports: { staging: number; production: number }): string {
  return `name: svc
environments:
  staging:
    url: http://127.0.0.1:${ports.staging}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    instances: 2
    health: { path: /healthz, interval: 100ms, startup-timeout: 3s }
    strategy: blue-green
  production:
    url: http://127.0.0.1:${ports.production}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    health: { path: /healthz, interval: 100ms, startup-timeout: 3s }
    protection: { approvals: 1, allow-self-approval: false, branches: [main] }
stages:
  build:
    run: mkdir -p dist && cp server.mjs dist/ && echo "\${{ vars.version || 'v1' }}" > dist/version.txt
    artifacts: [dist/**]
  deploy-staging:
    needs: [build]
    deploy: { environment: staging, version: "\${{ vars.version || 'v1' }}", from: build/dist }
  deploy-production:
    needs: [build, deploy-staging]
    deploy: { environment: production, version: "\${{ vars.version || 'v1' }}", from: build/dist, strategy: { canary: { steps: [50], pause: 500ms } } }
`
}

/**
 * For tests that deploy through the agent and keep a CLI process running: `create` makes a temp
 * git project (its files, then its pipewright.yml from `pipeline(dir)`) and deploys it with `run`;
 * after each test the running CLI (`state.cli`) is interrupted and the project's agent stopped
 * with everything it runs.
 */
export function useDeployedProjects(): { state: { dir?: string; cli?: RunningCli }; create(files: Record<string, string>, pipeline: (dir: string) => string): Promise<CliResult & { dir: string }> } {
  const project = useTempProjects()
  const state: { dir?: string; cli?: RunningCli } = {}
  afterEach(async () => {
    state.cli?.child.kill('SIGINT')
    await state.cli?.done
    if (state.dir) await runCli(['agent', 'stop', '--all'], { cwd: state.dir })
    state.dir = undefined
    state.cli = undefined
  })
  return {
    state,
    async create(files, pipeline) {
      const dir = await project(files)
      state.dir = dir
      writeFileSync(join(dir, 'pipewright.yml'), pipeline(dir))
      git(dir, 'init', '-q', '-b', 'main')
      git(dir, 'add', '-A')
      git(dir, 'commit', '-qm', 'first')
      return { ...(await runCli(['run'], { cwd: dir })), dir }
    },
  }
}

/**
 * A pipeline `svc` that builds server.mjs into dist/ and deploys it as v1 to `staging`
 * (deploy/process, health on /healthz) with these instance `env` values and `monitors:` (YAML
 * indented by 6); `environments` adds more environments (indented by 2), `top` more top-level keys.
 */
export function stagingPipeline(port: number, options: { env: Record<string, string>; monitors: string; environments?: string; top?: string }): string {
  return `name: svc
environments:
${options.environments ?? ''}  staging:
    url: http://127.0.0.1:${port}
    target: { uses: deploy/process, with: { command: [node, server.mjs] } }
    health: { path: /healthz, interval: 100ms, startup-timeout: 5s }
    env: ${JSON.stringify(options.env)}
    monitors:
${options.monitors}${options.top ?? ''}
stages:
  build:
    run: mkdir -p dist && cp server.mjs dist/
    artifacts: [dist/**]
  deploy:
    needs: [build]
    deploy: { environment: staging, version: v1, from: build/dist }
`
}
