import { chmod } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { PipewrightError, isPipewrightError } from '@pipewright/plugin-api'
import type { DeploymentAgent } from './agent.js'
import type { DeployEvent, DeploymentResult } from './protocol.js'
import { errorToJson } from './transport.js'

const MAX_BODY = 1024 * 1024

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (chunk: string) => {
      body += chunk
      if (body.length > MAX_BODY) req.destroy(new Error('request body too large'))
    })
    req.on('end', () => {
      try {
        resolve(body ? JSON.parse(body) : {})
      } catch {
        reject(new PipewrightError('PW_ERR_USAGE', 'The request body is not JSON'))
      }
    })
    req.on('error', reject)
  })
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

function sendError(res: ServerResponse, error: unknown): void {
  const status = isPipewrightError(error) ? error.httpStatus : 500
  if (!res.headersSent) sendJson(res, status, errorToJson(error))
  else res.end(`${JSON.stringify({ type: 'error', ...errorToJson(error) })}\n`)
}

/**
 * Streams an operation as NDJSON: `{type:'event'}` lines, then one `{type:'result'}`. Nothing is
 * sent before the first event, so a request refused up front (invalid, busy) gets a plain JSON
 * error with its HTTP status. A client that goes away does not stop the operation — unless it was
 * to judge it (a canary awaiting verdicts), which `clientGone` tells.
 */
async function stream(res: ServerResponse, run: (listener: (event: DeployEvent) => void, clientGone: AbortSignal) => Promise<DeploymentResult>): Promise<void> {
  const gone = new AbortController()
  res.on('close', () => {
    if (!res.writableFinished) gone.abort()
  })
  const write = (line: unknown) => {
    if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/x-ndjson' })
    if (!res.destroyed && !res.writableEnded) res.write(`${JSON.stringify(line)}\n`)
  }
  try {
    const result = await run((event) => write({ type: 'event', event }), gone.signal)
    write({ type: 'result', result })
    res.end()
  } catch (error) {
    sendError(res, error)
  }
}

/** Serves the agent's HTTP API on its unix socket (mode 0600: only its user may talk to it). */
export async function serveAgent(agent: DeploymentAgent, socket: string, onStop: (all: boolean) => void): Promise<Server> {
  const server = createServer((req, res) => {
    void route(req, res).catch((error: unknown) => sendError(res, error))
  })

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent')
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent)
    const method = req.method ?? 'GET'
    if (parts[0] !== 'v1') return sendJson(res, 404, errorToJson(new PipewrightError('PW_ERR_USAGE', `No such agent endpoint: ${url.pathname}`)))
    const [, what, name, action] = parts
    if (method === 'GET' && what === 'info') return sendJson(res, 200, agent.info())
    if (method === 'GET' && what === 'status') return sendJson(res, 200, await agent.status())
    if (method === 'POST' && what === 'deploy') {
      const body = await readJson(req)
      agent.check(body as never)
      return stream(res, (listener, clientGone) => agent.deploy(body as never, listener, clientGone))
    }
    if (what === 'environments' && name) {
      if (method === 'POST' && action === 'rollback') {
        const body = await readJson(req)
        return stream(res, (listener) => agent.rollback(name, body as never, listener))
      }
      if (method === 'POST' && action === 'abort') {
        const body = (await readJson(req)) as { reason?: unknown }
        return sendJson(res, 200, { aborted: await agent.abort(name, typeof body.reason === 'string' && body.reason ? body.reason.slice(0, 2_000) : undefined) })
      }
      if (method === 'POST' && action === 'proceed') return sendJson(res, 200, { proceeded: agent.proceed(name, await readJson(req)) })
      if (method === 'DELETE' && action === undefined) {
        await agent.remove(name)
        return sendJson(res, 200, { removed: name })
      }
    }
    if (method === 'POST' && what === 'stop') {
      const body = (await readJson(req)) as { all?: unknown }
      sendJson(res, 200, { stopping: true, pid: process.pid })
      onStop(body.all === true)
      return
    }
    sendJson(res, 404, errorToJson(new PipewrightError('PW_ERR_USAGE', `No such agent endpoint: ${method} ${url.pathname}`)))
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(socket, () => {
      server.removeListener('error', reject)
      resolve()
    })
  })
  await chmod(socket, 0o600)
  return server
}
