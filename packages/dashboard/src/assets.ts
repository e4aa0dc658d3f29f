import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, relative, sep } from 'node:path'

/** One built file, held in memory (the whole dashboard is ~150 KB). */
export interface DashboardAsset {
  body: Buffer
  contentType: string
  etag: string
  /** Hashed assets never change; index.html is revalidated so a new build is picked up. */
  cacheControl: string
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
}

/**
 * Where the built dashboard lives: `dist/ui` of this package, found through Node's resolution
 * of `@pipewright/dashboard/package.json`, so it holds from the sources, from `dist`, and from a
 * server bundle that inlined this module.
 */
export function dashboardAssetsDir(): string {
  const require = createRequire(import.meta.url)
  return join(dirname(require.resolve('@pipewright/dashboard/package.json')), 'dist', 'ui')
}

/**
 * Reads every file of a built dashboard into a map keyed by URL path (`/`, `/assets/main-….js`).
 * Requests are answered from this map only, so no request path ever reaches the file system.
 * Returns undefined when the directory has no index.html (the dashboard was not built).
 */
export function loadDashboardAssets(dir: string = dashboardAssetsDir()): Map<string, DashboardAsset> | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined
  const assets = new Map<string, DashboardAsset>()
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const file = join(d, name)
      if (statSync(file).isDirectory()) {
        walk(file)
        continue
      }
      const body = readFileSync(file)
      const urlPath = '/' + relative(dir, file).split(sep).join('/')
      const hashed = urlPath.startsWith('/assets/')
      assets.set(urlPath === '/index.html' ? '/' : urlPath, {
        body,
        contentType: TYPES[extname(file)] ?? 'application/octet-stream',
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
        cacheControl: hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      })
    }
  }
  walk(dir)
  return assets
}
