import type { TriggerSpec } from '@pipewright/core'
import { PipewrightError } from '@pipewright/plugin-api'
import type { FastifyInstance } from 'fastify'
import picomatch from 'picomatch'
import type { ServerContext } from '../context.js'
import { FORGES, deliveryId, eventName, parseEvent, verifySignature, type Forge, type ForgeEvent } from '../forges.js'

export interface WebhookOptions {
  /** The shared secret of each forge's webhook; a forge without one refuses every delivery. */
  secrets: Partial<Record<Forge, string>>
  /** Largest webhook body, in bytes; larger ones get 413 before they are read. */
  bodyLimit: number
}

const matches = (globs: string[] | undefined, value: string | undefined) => value !== undefined && (globs ?? []).some((g) => picomatch.isMatch(value, g, { dot: true }))

/** Whether a pipeline's `on:` asks for this event. */
export function wants(on: TriggerSpec | undefined, event: ForgeEvent): boolean {
  if (!on) return false
  if (event.kind === 'pull-request') return matches(on['pull-requests'], event.target)
  if (event.kind === 'tag') return matches(on.tags, event.tag)
  if (!matches(on.branches, event.branch)) return false
  return !on.paths || event.files.some((f) => on.paths!.some((g) => picomatch.isMatch(f, g, { dot: true })))
}

/** Starts every registered pipeline whose `on:` matches; returns the run ids. */
async function startRuns(ctx: ServerContext, forge: Forge, event: ForgeEvent): Promise<string[]> {
  const ids: string[] = []
  for (const pipeline of ctx.pipelines.values()) {
    const loaded = await ctx.engine.load(pipeline.file)
    if (!wants(loaded.spec.on, event)) continue
    const branch = event.kind === 'tag' ? undefined : event.branch
    const handle = await ctx.engine.run(loaded, {
      trigger: `webhook:${forge}:${event.kind}`,
      ...(event.sender ? { triggeredBy: event.sender } : {}),
      commit: { sha: event.sha, ...(branch ? { branch } : {}) },
    })
    ctx.track(handle)
    ids.push(handle.id)
  }
  return ids
}

/**
 * `POST /hooks/github|gitlab|gitea`: the body is read raw (up to `bodyLimit`), the signature
 * checked first (constant time), the delivery id claimed once in the store (a replay is
 * acknowledged and ignored, across processes), then the payload parsed and matching pipelines
 * started for the pushed commit.
 */
export async function registerHooks(app: FastifyInstance, ctx: ServerContext, options: WebhookOptions): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_request, body, done) => done(null, body))
    for (const forge of FORGES) {
      scope.post(`/hooks/${forge}`, { bodyLimit: options.bodyLimit, schema: { hide: true } }, async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0)
        const secret = options.secrets[forge]
        if (!secret || !verifySignature(forge, secret, request.headers, body)) {
          ctx.metrics.webhook(forge, 'rejected')
          throw new PipewrightError('PW_ERR_WEBHOOK_SIGNATURE', secret ? `The ${forge} delivery is not signed with the configured secret` : `No ${forge} webhook secret is configured: every ${forge} delivery is refused`)
        }
        if (!(await ctx.store.claimOnce('webhook', `${forge}:${deliveryId(forge, request.headers, body)}`, ctx.now()))) {
          ctx.metrics.webhook(forge, 'duplicate')
          return reply.status(200).send({ status: 'duplicate', runs: [] })
        }
        let payload: unknown
        try {
          payload = JSON.parse(body.toString('utf8'))
        } catch {
          ctx.metrics.webhook(forge, 'invalid')
          throw new PipewrightError('PW_ERR_USAGE', `The ${forge} delivery is not JSON`, { details: 'Set the webhook\'s content type to application/json.' })
        }
        const event = parseEvent(forge, eventName(forge, request.headers), payload)
        const runs = event ? await startRuns(ctx, forge, event) : []
        ctx.metrics.webhook(forge, runs.length > 0 ? 'started' : 'ignored')
        return reply.status(202).send({ status: runs.length > 0 ? 'started' : 'ignored', runs })
      })
    }
  })
}
