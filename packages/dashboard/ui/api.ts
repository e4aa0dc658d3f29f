import type { DoraReport, ReviewView, RiskAssessment } from './insight-types.js'
import type { DeploymentView, EnvironmentView, LogLine, Me, RunDetail, RunSummary } from './types.js'

const TOKEN_KEY = 'pipewright.token'

/** The token lives in sessionStorage: gone when the tab closes, never in a cookie or the URL. */
export const tokenStore = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  clear: (): void => sessionStorage.removeItem(TOKEN_KEY),
}

/** An API error as the server reports it: `{ error: { code, message, fix } }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fix?: string,
  ) {
    super(message)
  }
}

type Listener = () => void
const unauthorizedListeners = new Set<Listener>()
/** Called when a request comes back 401: the token was revoked or is wrong. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener)
  return () => unauthorizedListeners.delete(listener)
}

export async function request<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<T> {
  const token = init.token ?? tokenStore.get() ?? ''
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' }
  if (init.body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(path, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  })
  const text = await res.text()
  let json: any = undefined
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  if (!res.ok) {
    const err = json?.error ?? {}
    if (res.status === 401 && init.token === undefined) for (const l of unauthorizedListeners) l()
    throw new ApiError(res.status, err.code ?? `HTTP_${res.status}`, err.message ?? `${res.status} ${res.statusText}`, err.fix)
  }
  return json as T
}

export interface RunFilters {
  pipeline?: string
  status?: string
  branch?: string
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  return s ? `?${s}` : ''
}

export const api = {
  me: (token?: string) => request<Me>('/api/me', { token }),
  runs: (filters: RunFilters, cursor?: string, limit = 50) =>
    request<{ runs: RunSummary[]; nextCursor?: string }>(`/api/runs${query({ ...filters, cursor, limit })}`),
  run: (id: string) => request<RunDetail>(`/api/runs/${encodeURIComponent(id)}`),
  logs: (id: string, stage: string, after?: number, limit = 1000) =>
    request<{ lines: LogLine[]; next?: number }>(`/api/runs/${encodeURIComponent(id)}/logs${query({ stage, after, limit })}`),
  cancel: (id: string) => request<{ id: string }>(`/api/runs/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: {} }),
  retry: (id: string) => request<{ id: string }>(`/api/runs/${encodeURIComponent(id)}/retry`, { method: 'POST', body: {} }),
  resume: (id: string) => request<{ id: string }>(`/api/runs/${encodeURIComponent(id)}/resume`, { method: 'POST', body: {} }),
  decide: (id: string, stageId: string, decision: 'approve' | 'reject', comment?: string) =>
    request<{ decision: unknown }>(
      `/api/runs/${encodeURIComponent(id)}/stages/${encodeURIComponent(stageId)}/${decision}`,
      { method: 'POST', body: comment ? { comment } : {} },
    ),
  environments: () => request<EnvironmentView[] | { environments: EnvironmentView[] }>('/api/environments'),
  deployments: (env: string, limit = 20) =>
    request<{ deployments: DeploymentView[] }>(`/api/environments/${encodeURIComponent(env)}/deployments${query({ limit })}`),
  ack: (env: string, comment?: string) =>
    request<{ environment: string; by: string; at: number }>(`/api/environments/${encodeURIComponent(env)}/ack`, { method: 'POST', body: comment ? { comment } : {} }),
  dora: (env: string, since: string) => request<DoraReport>(`/api/insight/dora${query({ env, since })}`),
  review: (since: string) => request<ReviewView>(`/api/insight/review${query({ since })}`),
  runRisk: (id: string) => request<{ assessments: RiskAssessment[] }>(`/api/runs/${encodeURIComponent(id)}/risk`),
  rollback: (env: string) => request<{ id?: string }>(`/api/environments/${encodeURIComponent(env)}/rollback`, { method: 'POST', body: {} }),
}

/** What a role may do, as the server enforces it (an operator cannot approve; an approver cannot cancel). */
export const can = {
  approve: (role: string | undefined) => role === 'approver' || role === 'admin',
  operate: (role: string | undefined) => role === 'operator' || role === 'admin',
}

/** An error as one line: the server's message and its fix. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return `${err.message}${err.fix ? ` — ${err.fix}` : ''}`
  return (err as Error)?.message ?? String(err)
}
