import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin, z, type Notification } from '@pipewright/plugin-api'
import { DEPLOYER } from '../../src/deploy/deployer.js'
import { createEngine } from '../../src/engine/engine.js'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'
import { processTargetPlugin, recordingDeployer } from '../deploy/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

const inbox: Array<{ channel: string; notification: Notification }> = []

/** `chat/post` keeps what it was given (the engine's side is under test); `ops/verify` reports a rollback and fails with a secret in its message. */
const plugins = [
  processTargetPlugin,
  definePlugin({
    id: 'chat',
    apiVersion: 1,
    register(api) {
      api.notifier('post', { configSchema: z.object({ channel: z.string() }), notify: (_ctx, notification, config) => void inbox.push({ channel: config.channel, notification }) })
    },
  }),
  definePlugin({
    id: 'ops',
    apiVersion: 1,
    register(api) {
      api.stage('verify', {
        configSchema: z.object({ environment: z.string() }),
        run(ctx, config) {
          ctx.emit('deploy:rolled-back', {
            stageId: ctx.stageId,
            environment: config.environment,
            deploymentId: 'dep-1',
            rollbackId: 'dep-2',
            version: '1.4.2',
            servingVersion: '1.4.1',
            reason: '/healthz answered 500 in 3 of 3 samples',
            evidence: { condition: 'result.status >= 500', measurements: { successful: 0, failed: 3, inconclusive: 0, error: 0 }, samples: [{ monitor: 'monitoring/http', at: 1, healthy: false, values: { status: 500 }, reason: 'GET /healthz answered 500' }] },
          })
          throw new Error(`verification failed, token ${ctx.secrets.get('OPS_TOKEN')} was refused`)
        },
      })
    },
  }),
]

const PIPELINE = `name: shop
secrets: [OPS_TOKEN]
server: { url: "http://127.0.0.1:8080/pw/" }
environments:
  staging: { url: "http://127.0.0.1:18201", target: { uses: deploy/process, with: { command: [node, s.js] } } }
  production: { url: "http://127.0.0.1:18202", target: { uses: deploy/process, with: { command: [node, s.js] } } }
notify:
  - { on: [deploy:rolled-back, stage:failed, run:failed], environments: [production], uses: chat/post, with: { channel: prod } }
  - { on: [deploy:rolled-back, stage:failed, run:succeeded], environments: [staging], uses: chat/post, with: { channel: staging } }
  - { on: [stage:failed], stages: [lint], uses: chat/post, with: { channel: lint } }
  - { on: [stage:failed], uses: chat/post, with: { channel: all } }
stages:
  build: { run: "mkdir -p dist && echo app > dist/app.txt", artifacts: [dist/**] }
  lint: { run: "exit 3", continue-on-error: true }
  unit: { run: "exit 5", continue-on-error: true }
  deploy-staging: { needs: [build], deploy: { environment: staging, version: "1.4.2", from: build/dist } }
  deploy-prod: { needs: [build, deploy-staging], deploy: { environment: production, version: "1.4.2", from: build/dist } }
  verify: { needs: [deploy-prod], uses: ops/verify, with: { environment: production }, if: always() }
`

async function runShop(env: Record<string, string> = {}) {
  inbox.length = 0
  project = await tempProject(PIPELINE)
  const { deployer } = recordingDeployer((request) => (request.environment.name === 'production' ? { outcome: 'failed', error: { code: 'PW_ERR_DEPLOYMENT_FAILED', message: 'no instance became healthy' } } : {}))
  const engine = createEngine({ plugins, services: [{ token: DEPLOYER, useValue: deployer }], env: { ...process.env, ...env } })
  return runFile(project.file, { secrets: { OPS_TOKEN: 'ops-secret-7f3a' } }, {}, engine)
}

const summary = (channel: string) => inbox.filter((m) => m.channel === channel).map((m) => `${m.notification.event} ${m.notification.stageId ?? '-'} ${m.notification.environment ?? '-'}`)

describe('notify: routes', () => {
  it('filter by event, environment and stage; messages say what, where and why, link to the run and never carry a secret', async () => {
    const run = await runShop()
    expect(run.result.status).toBe('failed')
    // production: its deploy failed, a rollback there was reported, and the run (which deploys there) failed.
    expect(summary('prod').sort()).toEqual(['deploy:rolled-back verify production', 'run:failed deploy-prod production', 'stage:failed deploy-prod production'].sort())
    // staging: nothing failed or rolled back there; the run did not succeed.
    expect(summary('staging')).toEqual([])
    expect(summary('lint')).toEqual(['stage:failed lint -'])
    expect(summary('all').sort()).toEqual(['stage:failed deploy-prod production', 'stage:failed lint -', 'stage:failed unit -', 'stage:failed verify -'].sort())

    const url = `http://127.0.0.1:8080/pw/runs/${run.result.id}`
    const rolledBack = inbox.find((m) => m.notification.event === 'deploy:rolled-back')!.notification
    expect(rolledBack).toMatchObject({ title: 'shop: 1.4.2 rolled back in production', severity: 'error', reason: '/healthz answered 500 in 3 of 3 samples', url, fields: expect.objectContaining({ version: '1.4.2', 'serving version': '1.4.1', condition: 'result.status >= 500', environment: 'production' }) })
    expect(rolledBack.text).toContain('Condition: result.status >= 500')
    expect(rolledBack.text).toContain('monitoring/http unhealthy: GET /healthz answered 500 (status=500)')
    const runFailed = inbox.find((m) => m.notification.event === 'run:failed')!.notification
    expect(runFailed).toMatchObject({ title: 'shop: run failed at deploy-prod', stageId: 'deploy-prod', environment: 'production', reason: 'no instance became healthy', url })
    expect(runFailed.text).toContain('• deploy-prod (deploy to production): no instance became healthy')
    expect(runFailed.text).toContain('• lint: Stage lint exited with code 3 (continue-on-error)')
    expect(runFailed.text).toContain('• verify: Plugin ops failed in stage ops/verify: verification failed, token *** was refused')
    const verifyFailed = inbox.find((m) => m.channel === 'all' && m.notification.stageId === 'verify')!.notification
    expect(verifyFailed.reason).toBe('Plugin ops failed in stage ops/verify: verification failed, token *** was refused')
    expect(JSON.stringify(inbox)).not.toContain('ops-secret-7f3a')
    expect(run.of('notification:failed')).toEqual([])
  })

  it('gives each delivery a stable id: the same for the same run, route and occurrence, different otherwise', async () => {
    const first = await runShop()
    const ids = inbox.map((m) => m.notification.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    await project!.cleanup()
    const second = await runShop()
    expect(second.result.id).not.toBe(first.result.id)
    expect(inbox.map((m) => m.notification.id).filter((id) => ids.includes(id))).toEqual([])
  })

  it('PIPEWRIGHT_SERVER_URL overrides server.url; a bad one is refused before the run starts, naming the variable', async () => {
    await runShop({ PIPEWRIGHT_SERVER_URL: 'https://ci.example.com' })
    expect(inbox[0]!.notification.url).toMatch(/^https:\/\/ci\.example\.com\/runs\/[a-z0-9-]+$/)
    await project!.cleanup()
    await expect(runShop({ PIPEWRIGHT_SERVER_URL: 'ci.example.com' })).rejects.toMatchObject({ code: 'PW_ERR_CONFIG_INVALID', message: 'The server URL from the environment variable PIPEWRIGHT_SERVER_URL is not an http(s) URL' })
  })
})
