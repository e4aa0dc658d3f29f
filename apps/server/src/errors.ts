import { PipewrightError, isPipewrightError } from '@pipewright/plugin-api'
import type { FastifyError, FastifyInstance } from 'fastify'

/** The body of every error answer: the CLI's code, message and fix. */
export function errorBody(error: PipewrightError): { error: { code: string; message: string; fix: string } } {
  const problems = error.problems?.length ? `: ${error.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ')}` : ''
  return { error: { code: error.code, message: `${error.message}${problems}`, fix: error.details ?? '' } }
}

/** Turns fastify's own errors (validation, body too large, bad JSON) into PipewrightErrors. */
function fromFastifyError(error: FastifyError): { status: number; error: PipewrightError } {
  const status = error.statusCode ?? 500
  if (error.validation) {
    const problems = error.validation.map((v) => ({ path: String(v.instancePath ?? '').replace(/^\//, '').replace(/\//g, '.') || String(error.validationContext ?? ''), message: v.message ?? 'invalid' }))
    return { status: 400, error: new PipewrightError('PW_ERR_USAGE', `Invalid request ${error.validationContext ?? ''}`.trim(), { details: 'Fix each field named; GET /openapi.json describes every request.', problems }) }
  }
  if (status === 413) {
    return { status, error: new PipewrightError('PW_ERR_USAGE', 'Request body too large', { details: 'Send a smaller body; the server refuses bodies over its --body-limit before reading them.' }) }
  }
  if (status >= 400 && status < 500) {
    return { status, error: new PipewrightError('PW_ERR_USAGE', error.message, { details: 'Check the request against GET /openapi.json.' }) }
  }
  return { status: 500, error: new PipewrightError('PW_ERR_INTERNAL', 'The server failed to answer this request') }
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    if (isPipewrightError(error)) return reply.status(error.httpStatus).send(errorBody(error))
    const mapped = fromFastifyError(error as FastifyError)
    if (mapped.status >= 500) request.log.error({ err: error }, 'request failed')
    return reply.status(mapped.status).send(errorBody(mapped.error))
  })
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send(errorBody(new PipewrightError('PW_ERR_USAGE', `No route ${request.method} ${request.url.split('?')[0]}`, { details: 'GET /openapi.json lists every route.' })))
  })
}
