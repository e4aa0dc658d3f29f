import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

// A real HTTP receiver on 127.0.0.1 that always answers 503: the webhook channel retries, gives up,
// and the failed delivery is recorded with the run.
let receiver: Server
let hits = 0
let dir: string
beforeAll(async () => {
  receiver = createServer((req, res) => {
    hits++
    req.resume().on('end', () => res.writeHead(503).end('down for maintenance'))
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  const { port } = receiver.address() as AddressInfo
  dir = await makeProject({
    'pipewright.yml': `name: notified
secrets: [DB_PASSWORD]
notify:
  - on: [run:failed, stage:failed]
    uses: notification/file
    with: { path: .pipewright/notifications.jsonl }
  - on: [run:failed]
    uses: notification/webhook
    with: { url: "http://127.0.0.1:${port}/hooks", retry: { attempts: 2, base-delay: 10ms } }
stages:
  migrate:
    run: 'echo "migrating" && exit 3'
    env: { P: "\${{ secrets.DB_PASSWORD }}" }
`,
  })
})
afterAll(async () => {
  await removeProject(dir)
  await new Promise((resolve) => receiver.close(resolve))
})

describe('notifications through the CLI', () => {
  it('a failing channel never fails the run differently; show lists every delivery, failed ones with the reason (and --json)', async () => {
    const run = await runCli(['run', '--json'], { cwd: dir, env: { PIPEWRIGHT_SECRET_DB_PASSWORD: 'pg-7c1e', PIPEWRIGHT_SERVER_URL: 'https://pw.example.com/' } })
    expect(run.code).toBe(1)
    const runId = (JSON.parse(run.stdout) as { id: string; status: string }).id
    expect(hits).toBe(2)

    const lines = (await readFile(join(dir, '.pipewright/notifications.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines.map((l) => l.event)).toEqual(['stage:failed', 'run:failed'])
    expect(lines[1]).toMatchObject({ title: 'notified: run failed at migrate', stageId: 'migrate', reason: 'Stage migrate exited with code 3', url: `https://pw.example.com/runs/${runId}` })

    const shown = await runCli(['show', runId], { cwd: dir })
    expect(shown.code).toBe(0)
    expect(shown.stdout).toMatch(/^notifications 2 sent, 1 failed$/m)
    expect(shown.stdout).toMatch(/^✓ notification\/file stage:failed$/m)
    expect(shown.stdout).toMatch(/^✗ notification\/webhook run:failed failed: .*503/m)

    const json = JSON.parse((await runCli(['show', runId, '--json'], { cwd: dir })).stdout) as { notifications: Array<{ notifier: string; event: string; status: string; error?: { code: string } }> }
    // Deliveries of one event run side by side: their order is the order they ended.
    expect(json.notifications.map((n) => `${n.notifier} ${n.event} ${n.status}`).sort()).toEqual(['notification/file run:failed sent', 'notification/file stage:failed sent', 'notification/webhook run:failed failed'])
    expect(json.notifications.find((n) => n.status === 'failed')!.error?.code).toBe('PW_ERR_NOTIFICATION_DELIVERY')
  })
})
