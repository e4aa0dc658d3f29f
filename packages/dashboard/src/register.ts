import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { dashboardAssetsDir, loadDashboardAssets, type DashboardAsset } from './assets.js'

export interface DashboardOptions {
  /** The built dashboard (default: this package's `dist/ui`). */
  dir?: string
}

/**
 * Headers every dashboard response carries. The page talks only to its own origin (`connect-src
 * 'self'`) and loads nothing from elsewhere; inline styles are allowed because ANSI colours of
 * 256-colour and true-colour log lines are inline `style` attributes.
 */
export const DASHBOARD_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
})

const NOT_BUILT =
  'The Pipewright dashboard is not built, so there is nothing to show here. Fix: run `pnpm --filter @pipewright/dashboard build` (or `pnpm build`) and restart the server. The HTTP API under /api works without it.'

/**
 * Serves the dashboard's static files at `/` and `/assets/*` from memory. No authentication for
 * these files (they hold no data); the page signs in with a token and calls `/api` itself.
 * Register it after the API routes; it adds only `GET /` and `GET /assets/*`.
 */
export async function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): Promise<void> {
  const assets = loadDashboardAssets(options.dir ?? dashboardAssetsDir())
  const send = (req: FastifyRequest, reply: FastifyReply, asset: DashboardAsset | undefined) => {
    if (!asset) {
      if (!assets) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT)
      return reply.code(404).type('text/plain; charset=utf-8').send('Not found')
    }
    reply.headers(DASHBOARD_SECURITY_HEADERS).header('etag', asset.etag).header('cache-control', asset.cacheControl)
    if (req.headers['if-none-match'] === asset.etag) return reply.code(304).send()
    return reply.type(asset.contentType).send(asset.body)
  }
  // `hide`: not part of the API, so not in /openapi.json.
  app.get('/', { schema: { hide: true } }, (req, reply) => send(req, reply, assets?.get('/')))
  app.get('/assets/*', { schema: { hide: true } }, (req, reply) => send(req, reply, assets?.get(new URL(req.url, 'http://x').pathname)))
}
