import { PipewrightError } from '@pipewright/plugin-api'
import { recordAudit } from '@pipewright/core'
import type { ApiTokenRecord, AuditEntryInput, Store } from '@pipewright/store-api'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { allows, authenticate, rolesWith, type Permission } from './tokens.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The token's identity, on /api requests. */
    actor?: ApiTokenRecord
  }
  interface FastifyContextConfig {
    /** What the route needs; default `read`. */
    permission?: Permission
  }
}

/** What an API action is about, from its route parameters (`/api/runs/:id…`, `/api/environments/:name…`). */
function auditSubject(params: Record<string, string | undefined>): AuditEntryInput['subject'] {
  return {
    ...(params.name !== undefined ? { environment: params.name } : {}),
    ...(params.id !== undefined ? { runId: params.id } : {}),
    ...(params.stageId !== undefined ? { stageId: params.stageId } : {}),
  }
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The identity of an authenticated /api request. */
export function actorOf(request: FastifyRequest): ApiTokenRecord {
  if (!request.actor) throw new PipewrightError('PW_ERR_UNAUTHORIZED', 'This request carries no valid API token')
  return request.actor
}

/**
 * Every /api request needs a valid token (401), and the role the route asks for (403). Every
 * mutating /api request is recorded in the store with its actor and the status it got.
 */
export function installAuth(app: FastifyInstance, store: Store, now: () => number): void {
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/api/') && request.url !== '/api') return
    const actor = await authenticate(store, request.headers.authorization)
    if (!actor) {
      throw new PipewrightError('PW_ERR_UNAUTHORIZED', request.headers.authorization ? 'The API token is unknown or revoked' : 'No API token: send `Authorization: Bearer <token>`')
    }
    request.actor = actor
  })
  app.addHook('preHandler', async (request) => {
    if (!request.actor) return
    const permission = request.routeOptions.config.permission ?? 'read'
    if (!allows(request.actor.role, permission)) {
      throw new PipewrightError('PW_ERR_FORBIDDEN', `${request.actor.name} (role ${request.actor.role}) may not ${request.method} ${request.routeOptions.url ?? request.url}`, {
        details: `This needs the role ${rolesWith(permission).join(' or ')}; ask an admin for such a token.`,
      })
    }
  })
  app.addHook('onResponse', async (request, reply) => {
    if (!request.actor || !MUTATING.has(request.method)) return
    const params = (request.params ?? {}) as Record<string, string | undefined>
    const target = params.id ?? params.name ?? (reply.statusCode < 300 ? (request as { createdId?: string }).createdId : undefined)
    const at = now()
    const route = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`
    try {
      await store.addServerAction({ at, actor: request.actor.name, role: request.actor.role, action: route, ...(target !== undefined ? { target } : {}), status: reply.statusCode })
    } catch (error) {
      request.log.error({ err: error }, 'could not record the action')
    }
    try {
      // The token's name and role only: never the token, its hash or the request body.
      await recordAudit(store, { action: 'api.request', actor: request.actor.name, source: 'api', at, subject: auditSubject(params), data: { route, role: request.actor.role, status: reply.statusCode, ...(target !== undefined ? { target } : {}) } })
    } catch (error) {
      request.log.error({ err: error }, 'could not append the action to the audit trail')
    }
  })
}
