import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'
import { PipewrightError } from '@pipewright/plugin-api'
import { createProxyServer } from 'http-proxy-3'
import { Router } from './router.js'

interface Backend {
  host: string
  port: number
  /** Keep-alive connections to this instance only, so retiring it closes exactly those. */
  agent: Agent
  inFlight: number
}

// Requests that may be sent again to another instance when the first one refused or reset the
// connection before answering: nothing was received, and repeating them changes nothing.
const RETRY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])
const RETRY_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE'])
const MAX_TRIES = 3

/**
 * The reverse proxy in front of one environment, on its url's 127.0.0.1 port. http-proxy-3 moves
 * the bytes; this class chooses the instance per request (through the `Router`), counts requests
 * in flight per instance so a retiring instance can be drained, and retries an idempotent
 * request on another instance when a connection fails before any answer.
 */
export class EnvironmentProxy {
  readonly router = new Router()
  private readonly backends = new Map<string, Backend>()
  private readonly proxy = createProxyServer({ xfwd: true, proxyTimeout: 120_000 })
  private server: Server | undefined
  private served = 0

  constructor(
    readonly environment: string,
    private listenPort: number,
  ) {
    // Errors are handled per request (the callback of `web`); this keeps stray ones from crashing the agent.
    this.proxy.on('error', () => undefined)
  }

  get port(): number {
    return this.listenPort
  }

  /** Requests answered since the agent started. */
  get requests(): number {
    return this.served
  }

  async listen(): Promise<void> {
    this.server = await this.open(this.listenPort)
  }

  /** Moves the proxy to another port (the environment's url changed): the new one listens first. */
  async moveTo(port: number): Promise<void> {
    if (port === this.listenPort && this.server) return
    const next = await this.open(port)
    const old = this.server
    this.server = next
    this.listenPort = port
    if (old) await closeServer(old, 5_000)
  }

  private open(port: number): Promise<Server> {
    const server = createServer((req, res) => this.handle(req, res, new Set()))
    // Longer than the usual client keep-alive, so clients never race the proxy closing an idle connection.
    server.keepAliveTimeout = 30_000
    server.headersTimeout = 35_000
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head))
    return new Promise((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(
          new PipewrightError('PW_ERR_DEPLOYMENT_FAILED', `Environment ${this.environment}: cannot listen on 127.0.0.1:${port} (${error.code ?? error.message})`, {
            details: error.code === 'EADDRINUSE' ? `Another process uses port ${port}: stop it, or give the environment another url.` : 'Check the port of the environment\'s url.',
            cause: error,
          }),
        )
      })
      server.listen(port, '127.0.0.1', () => {
        server.removeAllListeners('error')
        server.on('error', () => undefined)
        resolve(server)
      })
    })
  }

  /** Makes an instance known to the proxy (it receives traffic once the router names it). */
  addBackend(id: string, host: string, port: number): void {
    const existing = this.backends.get(id)
    if (existing && existing.host === host && existing.port === port) return
    existing?.agent.destroy()
    this.backends.set(id, { host, port, agent: new Agent({ keepAlive: true, maxSockets: 256 }), inFlight: existing?.inFlight ?? 0 })
  }

  /** Forgets an instance and closes its idle keep-alive connections (call after draining it). */
  removeBackend(id: string): void {
    this.backends.get(id)?.agent.destroy()
    this.backends.delete(id)
  }

  inFlight(id: string): number {
    return this.backends.get(id)?.inFlight ?? 0
  }

  /** Waits until no request is in flight on these instances, or the timeout passes; returns how many still are. */
  async drain(ids: readonly string[], timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs
    const remaining = () => ids.reduce((sum, id) => sum + this.inFlight(id), 0)
    while (remaining() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    return remaining()
  }

  private handle(req: IncomingMessage, res: ServerResponse, tried: Set<string>): void {
    const id = this.router.pick(tried)
    const backend = id === undefined ? undefined : this.backends.get(id)
    if (id === undefined || !backend) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' })
      res.end(`No instance of environment ${this.environment} is available.\n`)
      return
    }
    backend.inFlight++
    let released = false
    const release = () => {
      if (released) return
      released = true
      backend.inFlight--
    }
    res.once('close', release)
    res.once('finish', () => this.served++)
    this.proxy.web(req, res, { target: `http://${backend.host}:${backend.port}`, agent: backend.agent }, (error) => {
      release()
      const code = (error as NodeJS.ErrnoException).code ?? ''
      if (!res.headersSent && RETRY_METHODS.has(req.method ?? '') && RETRY_ERRORS.has(code) && tried.size + 1 < MAX_TRIES) {
        tried.add(id)
        this.handle(req, res, tried)
        return
      }
      if (!res.headersSent) {
        res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`Instance ${id} of environment ${this.environment} failed: ${code || (error as Error).message}\n`)
      } else res.destroy()
    })
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const id = this.router.pick()
    const backend = id === undefined ? undefined : this.backends.get(id)
    if (!backend) return void socket.destroy()
    this.proxy.ws(req, socket, head, { target: `http://${backend.host}:${backend.port}` }, () => socket.destroy())
  }

  /** Stops listening; requests in flight get `graceMs` to finish. */
  async close(graceMs = 5_000): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server) await closeServer(server, graceMs)
    for (const backend of this.backends.values()) backend.agent.destroy()
    this.proxy.close()
  }
}

function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs)
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}
