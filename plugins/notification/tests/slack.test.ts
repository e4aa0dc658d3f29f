import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isPipewrightError } from '@pipewright/plugin-api'
import { afterEach, describe, expect, it } from 'vitest'
import { failedDeploy, notify } from './helpers/notifier.js'

/**
 * A stand-in for Slack's incoming-webhook endpoint on 127.0.0.1 (Slack itself is out of reach):
 * it checks the payload the way Slack documents it — blocks of known types, header plain_text
 * ≤ 150, section text ≤ 3000, ≤ 10 fields of ≤ 2000 — and answers `ok`, `invalid_payload` (400)
 * or, for the first `failFirst` posts, 500.
 */
interface SlackStandIn {
  url: string
  posts: Array<{ path: string; raw: string; status: number }>
  close(): Promise<void>
}

function problems(payload: any): string[] {
  const out: string[] = []
  if (typeof payload?.text !== 'string' || !payload.text) out.push('no fallback text')
  if (!Array.isArray(payload?.blocks)) return [...out, 'no blocks']
  for (const b of payload.blocks) {
    if (b.type === 'header') {
      if (b.text?.type !== 'plain_text' || b.text.text.length > 150) out.push('bad header')
    } else if (b.type === 'section') {
      if (b.text && (b.text.type !== 'mrkdwn' || b.text.text.length > 3000)) out.push('bad section text')
      if (b.fields && (b.fields.length > 10 || b.fields.some((f: any) => f.type !== 'mrkdwn' || f.text.length > 2000))) out.push('bad fields')
    } else if (b.type === 'context') {
      if (!Array.isArray(b.elements) || b.elements.length === 0) out.push('bad context')
    } else {
      out.push(`unknown block ${b.type}`)
    }
  }
  return out
}

async function startSlack(failFirst = 0, status?: number): Promise<SlackStandIn> {
  const posts: SlackStandIn['posts'] = []
  let failed = 0
  const server: Server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c) => { raw += c })
    req.on('end', () => {
      const reply = (code: number, body: string) => {
        posts.push({ path: req.url ?? '', raw, status: code })
        res.writeHead(code, { 'content-type': 'text/plain' }).end(body)
      }
      if (status) return reply(status, status === 404 ? 'no_service' : 'error')
      if (failed < failFirst) {
        failed++
        return reply(500, 'internal_error')
      }
      let payload: unknown
      try {
        payload = JSON.parse(raw)
      } catch {
        return reply(400, 'invalid_payload')
      }
      reply(problems(payload).length ? 400 : 200, problems(payload).length ? `invalid_blocks: ${problems(payload).join(', ')}` : 'ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0001/B0002/XyZsecretPart`,
    posts,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

let slack: SlackStandIn | undefined
afterEach(async () => {
  await slack?.close()
  slack = undefined
})

const fast = { attempts: 3, 'base-delay': '20ms' }

describe('notification/slack against a Slack-like incoming webhook', () => {
  it('posts header, section with fields, and context with the link, accepted as valid blocks', async () => {
    slack = await startSlack()
    await notify('slack', { url: slack.url }, failedDeploy())
    expect(slack.posts.map((p) => [p.path, p.status])).toEqual([['/services/T0001/B0002/XyZsecretPart', 200]])
    const payload = JSON.parse(slack.posts[0]!.raw)
    expect(payload.text).toBe(':rotating_light: hello-service 1.4.2 rolled back in production — monitoring/http: GET http://10.0.0.5:8080/healthz answered 500 (expected 2xx)')
    expect(payload.blocks[0].text.text).toBe(':rotating_light: hello-service 1.4.2 rolled back in production')
    expect(payload.blocks[1].fields.map((f: any) => f.text)).toEqual([
      '*Pipeline*\nhello-service',
      '*Environment*\nproduction',
      '*Stage*\ndeploy-production',
      '*Reason*\nmonitoring/http: GET http://10.0.0.5:8080/healthz answered 500 (expected 2xx)',
      '*Run*\nrun-20261130-0042',
      '*version*\n1.4.2',
      '*previous version*\n1.4.1',
    ])
    expect(payload.blocks[2].elements[0].text).toContain('<https://pipewright.example.com/runs/run-20261130-0042|Open the run>')
  })

  it('shares the webhook retry policy: 500 is retried, the same bytes are sent again', async () => {
    slack = await startSlack(2)
    await notify('slack', { url: slack.url, retry: fast }, failedDeploy())
    expect(slack.posts.map((p) => p.status)).toEqual([500, 500, 200])
    expect(new Set(slack.posts.map((p) => p.raw)).size).toBe(1)
  })

  it('does not retry a 404 and never shows the webhook path, which is its secret', async () => {
    slack = await startSlack(0, 404)
    const error = await notify('slack', { url: slack.url, retry: fast }, failedDeploy()).then(() => undefined, (e: unknown) => e)
    expect(isPipewrightError(error) && error.code).toBe('PW_ERR_NOTIFICATION_REJECTED')
    expect((error as Error).message).toMatch(/^notification\/slack: POST http:\/\/127\.0\.0\.1:\d+\/… answered 404 \(no_service\) \(not retried/)
    expect((error as Error).message).not.toContain('XyZsecretPart')
    expect(slack.posts).toHaveLength(1)
  })

  it('never lets a secret of the run reach the channel, and escapes mrkdwn', async () => {
    slack = await startSlack()
    await notify('slack', { url: slack.url }, failedDeploy({ text: 'token ghp_8d7c6b5a4f3e <!channel> & more', reason: 'ghp_8d7c6b5a4f3e' }), { secrets: { GH_TOKEN: 'ghp_8d7c6b5a4f3e' } })
    const raw = slack.posts[0]!.raw
    expect(slack.posts[0]!.status).toBe(200)
    expect(raw).not.toContain('ghp_8d7c6b5a4f3e')
    expect(JSON.parse(raw).blocks[1].text.text).toMatch(/^token \S+ &lt;!channel&gt; &amp; more$/)
  })
})
