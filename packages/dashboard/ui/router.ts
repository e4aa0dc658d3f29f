import { useEffect, useState } from 'preact/hooks'

export type Route = { page: 'runs' } | { page: 'run'; id: string; stage?: string } | { page: 'environments' } | { page: 'insight'; since?: string }

/** Hash routes (`#/runs/<id>`), so the server serves one index.html and no path is ever a file lookup. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  if (parts[0] === 'runs' && parts[1]) return { page: 'run', id: parts[1], stage: parts[2] }
  if (parts[0] === 'environments') return { page: 'environments' }
  if (parts[0] === 'insight') return { page: 'insight', since: parts[1] }
  return { page: 'runs' }
}

export function runHref(id: string, stage?: string): string {
  return `#/runs/${encodeURIComponent(id)}${stage ? `/${encodeURIComponent(stage)}` : ''}`
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash))
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash))
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return route
}
