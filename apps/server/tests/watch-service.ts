import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A real HTTP service on 127.0.0.1 whose `/healthz` answers `status` (switch it between 200 and 500). */
export interface HealthService {
  port: number
  status: number
  close(): Promise<void>
}

export async function startHealthService(): Promise<HealthService> {
  const service = { status: 200 } as HealthService
  const server: Server = createServer((request, response) => {
    response.writeHead(request.url === '/healthz' ? service.status : 404, { 'content-type': 'text/plain' }).end(String(service.status))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  service.port = (server.address() as AddressInfo).port
  service.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })
  return service
}

/** A pipeline whose `production` watches the service's /healthz every 100 ms and routes its alerts to a `notification/file`. */
export function watchedPipeline(port: number, notifyFile: string, extra = ''): string {
  return `name: shop
environments:
  production:
    url: http://127.0.0.1:${port}
    target: { uses: deploy/process, with: { command: [node, server.js] } }
    monitors:
      interval: 100ms
      unhealthy-after: 2
      healthy-after: 2
      monitors: [{ uses: monitoring/http, with: { url: /healthz, timeout: 1s } }]${extra}
notify:
  - on: [environment:unhealthy, environment:recovered]
    uses: notification/file
    with: { path: ${JSON.stringify(notifyFile)} }
stages:
  noop:
    run: echo nothing to build
`
}

/** The events of the notification file's lines (JSON lines), in order. */
export function notifiedEvents(file: string): Array<{ event: string; environment?: string; runId?: string }> {
  if (!existsSync(file)) return []
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { event: string; environment?: string; runId?: string })
}
