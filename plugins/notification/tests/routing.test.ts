import { definePlugin, z } from '@pipewright/plugin-api'
import { runPipeline, type PipelineRun } from '@pipewright/testing'
import { afterEach, describe, expect, it } from 'vitest'
import notification from '../src/index.js'
import { startSmtp, type SmtpServer } from './helpers/smtp.js'
import { startReceiver, type Receiver } from './helpers/webhook-receiver.js'

// The engine's notify: routes calling this plugin's real channels, against real receivers on 127.0.0.1.

const HOOK_KEY = 'whsec-routing-5d1c'
const DB_PASSWORD = 'pg-pa55-e81f0c'
const fast = { attempts: 4, 'base-delay': '20ms', 'max-delay': '100ms' }

const open: Array<{ close(): Promise<void> }> = []
let run: PipelineRun | undefined
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
  await run?.cleanup()
  run = undefined
})

async function receiver(options: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(options)
  open.push(r)
  return r
}

/** `db/migrate` fails with the database password in its error message; `deploy/process` lets environments validate. */
const fixtures = definePlugin({
  id: 'db',
  apiVersion: 1,
  register(api) {
    api.stage('migrate', { run: (ctx) => { throw new Error(`login refused for postgres://app:${ctx.secrets.get('DB_PASSWORD') ?? ''}@127.0.0.1/shop`) } })
  },
})
const deployTarget = definePlugin({
  id: 'deploy',
  apiVersion: 1,
  register(api) {
    api.target('process', { configSchema: z.object({ command: z.array(z.string()).min(1) }), start: () => { throw new Error('never started: the stage waits for approval') }, stop: () => undefined, check: () => ({ alive: true }) })
  },
})

describe('notify: routes through the real channels', () => {
  it('run:failed reaches a signed webhook once although it answered 500 twice; the secret in the failure never reaches it', async () => {
    const hooks = await receiver({ secret: HOOK_KEY, failFirst: 2 })
    run = await runPipeline({
      pipeline: {
        name: 'shop',
        secrets: ['HOOK_KEY', 'DB_PASSWORD'],
        server: { url: 'http://127.0.0.1:8080' },
        notify: [{ on: ['run:failed'], uses: 'notification/webhook', with: { url: `${hooks.url}/hooks`, 'signing-secret': 'HOOK_KEY', retry: fast } }],
        stages: { migrate: { uses: 'db/migrate' } },
      },
      plugins: [notification, fixtures],
      secrets: { HOOK_KEY, DB_PASSWORD },
    })
    expect(run.result.status).toBe('failed')
    expect(hooks.requests.map((r) => r.status)).toEqual([500, 500, 202])
    expect(new Set(hooks.requests.map((r) => r.headers['x-pipewright-delivery'])).size).toBe(1)
    expect(hooks.processed.size).toBe(1)
    const delivery = [...hooks.processed.values()][0]
    expect(delivery!.seen).toBe(1)
    expect(delivery!.body).toMatchObject({
      event: 'run:failed',
      severity: 'error',
      title: 'shop: run failed at migrate',
      pipeline: 'shop',
      runId: run.result.id,
      stageId: 'migrate',
      reason: expect.stringContaining('login refused for postgres://app:***@127.0.0.1/shop'),
      url: `http://127.0.0.1:8080/runs/${run.result.id}`,
    })
    for (const r of hooks.requests) expect(r.raw.toString('utf8')).not.toContain(DB_PASSWORD)
    expect(run.eventsOf('notification:sent')).toEqual([expect.objectContaining({ notifier: 'notification/webhook', event: 'run:failed' })])
  })

  it('a channel that keeps failing is retried, then recorded as a failed delivery; the run still succeeds', async () => {
    const down = await receiver({ secret: HOOK_KEY, always: 503 })
    run = await runPipeline({
      pipeline: {
        name: 'shop',
        secrets: ['HOOK_KEY'],
        notify: [{ on: ['run:succeeded'], uses: 'notification/webhook', with: { url: `${down.url}/hooks?token=abc`, 'signing-secret': 'HOOK_KEY', retry: fast } }],
        stages: { build: { run: 'true' } },
      },
      plugins: [notification],
      secrets: { HOOK_KEY },
    })
    expect(run.result.status).toBe('succeeded')
    expect(down.requests.map((r) => r.status)).toEqual([503, 503, 503, 503])
    const [failed] = run.eventsOf('notification:failed')
    expect(failed).toMatchObject({ notifier: 'notification/webhook', event: 'run:succeeded', error: { code: 'PW_ERR_NOTIFICATION_DELIVERY' } })
    expect(failed!.error.message).not.toContain('token=abc')
    // Recorded with the run: `pipewright show` reads it back from the store.
    expect((await run.runs.events(run.result.id)).filter((e) => e.type === 'notification:failed')).toHaveLength(1)
  })

  it('a deploy waiting for approval e-mails the release managers through a real SMTP server', async () => {
    const smtp: SmtpServer = await startSmtp()
    open.push(smtp)
    const stop = new AbortController()
    const running = runPipeline({
      pipeline: {
        name: 'shop',
        environments: { production: { url: 'http://127.0.0.1:18311', target: { uses: 'deploy/process', with: { command: ['node', 'server.js'] } }, protection: { approvals: 1 } } },
        notify: [{ on: ['approval:requested'], environments: ['production'], uses: 'notification/email', with: { host: smtp.host, port: smtp.port, from: 'Pipewright <pipewright@example.com>', to: ['release-managers@example.com'] } }],
        stages: { 'deploy-prod': { deploy: { environment: 'production', version: '2.0.0', image: 'registry.example.com/shop:2.0.0' } } },
      },
      plugins: [notification, deployTarget],
      env: { PIPEWRIGHT_SERVER_URL: 'https://pipewright.example.com' },
      signal: stop.signal,
    })
    const deadline = Date.now() + 30_000
    while (smtp.mails.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    stop.abort('the test saw the mail')
    run = await running
    expect(smtp.mails).toHaveLength(1)
    const [mail] = smtp.mails
    expect(mail!.to).toEqual(['release-managers@example.com'])
    expect(mail!.parsed.subject).toBe('[pipewright] shop: approval needed to deploy to production (shop / production)')
    expect(mail!.parsed.text).toContain(`Stage deploy-prod of run ${run.result.id} waits for approval.`)
    expect(mail!.parsed.text).toContain(`approve with \`pipewright approve ${run.result.id} deploy-prod --as <name>\``)
    expect(mail!.parsed.text).toContain(`Link: https://pipewright.example.com/runs/${run.result.id}`)
    expect(run.result.status).toBe('cancelled')
  })
})
