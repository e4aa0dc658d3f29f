import type { GitInfo, Notification } from '@pipewright/plugin-api'

/** What the engine knows about the run an event belongs to, beyond the event itself. */
export interface NotificationFacts {
  pipeline: string
  runId: string
  git?: GitInfo | undefined
  /** A link to the run, when a server URL is configured. */
  url?: string | undefined
  /** The environment the event concerns when its payload does not say (a deploy stage's). */
  environment?: string | undefined
  /** The run's failed stages so far, in the order they failed. */
  failedStages: ReadonlyArray<FailedStage>
}

/** A stage that failed: `tolerated` when it is `continue-on-error` (it did not fail the run); `environment` for a deploy stage. */
export interface FailedStage {
  id: string
  message: string
  details?: string
  summary?: string
  environment?: string
  tolerated?: boolean
}

type Payload = Record<string, unknown>
type Message = Pick<Notification, 'title' | 'text' | 'severity'> & { reason?: string; stageId?: string; environment?: string; fields?: Record<string, string> }

const SAMPLE_LINES = 5
const SUMMARY_LINES = 5

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

function formatMs(ms: number): string {
  const s = Math.round(ms / 1000)
  return s < 120 ? `${s}s` : s < 7200 ? `${Math.round(s / 60)}m` : `${Math.round(s / 3600)}h`
}

/** A monitor sample as one line: `monitoring/http unhealthy: GET /healthz answered 500 (status=500, latency=3)`. */
function sampleLine(sample: unknown): string | undefined {
  if (!sample || typeof sample !== 'object') return undefined
  const s = sample as { monitor?: unknown; healthy?: unknown; values?: unknown; reason?: unknown; measurement?: unknown }
  const values = s.values && typeof s.values === 'object' ? Object.entries(s.values as Record<string, unknown>).map(([k, v]) => `${k}=${String(v)}`).join(', ') : ''
  const verdict = str(s.measurement) ?? (s.healthy === false ? 'unhealthy' : s.healthy === true ? 'healthy' : undefined)
  return `${str(s.monitor) ?? 'sample'}${verdict ? ` ${verdict}` : ''}${str(s.reason) ? `: ${String(s.reason)}` : ''}${values ? ` (${values})` : ''}`
}

/** Evidence of an analysis verdict (`{ condition, measurements, samples }`) as text lines: the condition, the counts, the latest samples. */
export function evidenceLines(evidence: unknown, samples?: unknown): string[] {
  const e = evidence && typeof evidence === 'object' ? (evidence as { condition?: unknown; measurements?: unknown; samples?: unknown }) : {}
  const lines: string[] = []
  if (str(e.condition)) lines.push(`Condition: ${String(e.condition)}`)
  if (e.measurements && typeof e.measurements === 'object') {
    const counts = Object.entries(e.measurements as Record<string, unknown>).filter(([, n]) => typeof n === 'number' && n > 0)
    if (counts.length > 0) lines.push(`Measurements: ${counts.map(([k, n]) => `${String(n)} ${k}`).join(', ')}`)
  }
  const list = Array.isArray(samples) ? samples : Array.isArray(e.samples) ? e.samples : []
  const shown = list.slice(-SAMPLE_LINES).map(sampleLine).filter((l): l is string => l !== undefined)
  if (shown.length > 0) lines.push(`Latest samples${list.length > shown.length ? ` (${shown.length} of ${list.length})` : ''}:`, ...shown.map((l) => `• ${l}`))
  return lines
}

function runMessage(status: string, facts: NotificationFacts): Message {
  const { pipeline, runId, failedStages } = facts
  if (status !== 'failed') {
    return { title: `${pipeline}: run ${status}`, text: `Run ${runId} ${status}.`, severity: status === 'succeeded' ? 'info' : 'warning' }
  }
  // The stages that failed the run come first; `continue-on-error` ones are listed after them.
  const ordered = [...failedStages.filter((f) => !f.tolerated), ...failedStages.filter((f) => f.tolerated)]
  const lines = ordered.map((f) => `• ${f.id}${f.environment ? ` (deploy to ${f.environment})` : ''}: ${f.message}${f.tolerated ? ' (continue-on-error)' : ''}${f.summary ? `\n  ${f.summary.split('\n').slice(0, SUMMARY_LINES).join('\n  ')}` : ''}`)
  const first = ordered[0]
  return {
    title: `${pipeline}: run failed${first ? ` at ${first.id}` : ''}`,
    text: `Run ${runId} failed.${lines.length > 0 ? `\n${lines.join('\n')}` : ''}`,
    severity: 'error',
    ...(first ? { stageId: first.id, reason: first.message, ...(first.environment ? { environment: first.environment } : {}) } : {}),
  }
}

function stageFailed(p: Payload, facts: NotificationFacts): Message {
  const error = p.error as { message?: string; details?: string } | undefined
  const stageId = String(p.stageId)
  const reason = str(error?.message) ?? 'failed'
  const where = facts.environment ? ` (deploy to ${facts.environment})` : ''
  return { title: `${facts.pipeline}: stage ${stageId} failed${where}`, text: [reason, str(p.summary), str(error?.details)].filter(Boolean).join('\n'), severity: 'error', stageId, reason }
}

function rolledBack(p: Payload, facts: NotificationFacts, started: boolean): Message {
  const env = str(p.environment) ?? facts.environment ?? 'an environment'
  const version = str(p.version) ?? 'a version'
  const reason = str(p.reason) ?? 'verification failed'
  const serving = str(p.servingVersion)
  const fields: Record<string, string> = { version }
  if (serving) fields['serving version'] = serving
  const condition = (p.evidence as { condition?: unknown } | undefined)?.condition
  if (str(condition)) fields.condition = String(condition)
  const headline = started ? `${version} is being rolled back in ${env}` : `${version} was rolled back in ${env}${serving ? `; ${serving} serves again` : ''}`
  return {
    title: `${facts.pipeline}: ${version} ${started ? 'rolling back' : 'rolled back'} in ${env}`,
    text: [`${headline}.`, `Reason: ${reason}`, ...evidenceLines(p.evidence)].join('\n'),
    severity: started ? 'warning' : 'error',
    reason,
    fields,
    ...(str(p.stageId) ? { stageId: String(p.stageId) } : {}),
  }
}

function environmentHealth(event: string, p: Payload): Message {
  const env = str(p.environment) ?? 'an environment'
  if (event === 'environment:recovered') {
    const after = typeof p.unhealthyForMs === 'number' ? ` after ${formatMs(p.unhealthyForMs)} unhealthy` : ''
    return { title: `${env} recovered`, text: `${env} is healthy again${after}.`, severity: 'info' }
  }
  if (event === 'environment:healing') {
    const reason = str(p.reason) ?? ''
    const attempt = typeof p.attempt === 'number' ? ` (${String(p.attempt)}${typeof p.max === 'number' ? ` of ${String(p.max)}` : ''})` : ''
    const gaveUp = p.outcome === 'gave-up'
    return {
      title: `${env}: ${String(p.action ?? 'healing')} ${String(p.outcome ?? '')}${attempt}`.trim(),
      text: [gaveUp ? `Self-healing gave up on ${env}: a person must look at it.` : `Self-healing ${String(p.action)} of ${env}: ${String(p.outcome)}${attempt}.`, reason ? `Reason: ${reason}` : ''].filter(Boolean).join('\n'),
      severity: gaveUp || p.outcome === 'failed' ? 'error' : 'warning',
      ...(reason ? { reason } : {}),
    }
  }
  const reason = str(p.reason) ?? 'its monitors report it unhealthy'
  return { title: `${env} is unhealthy`, text: [`${env} is unhealthy.`, `Reason: ${reason}`, ...evidenceLines(undefined, p.samples)].join('\n'), severity: 'error', reason }
}

function deployFinished(p: Payload, facts: NotificationFacts): Message {
  const env = str(p.environment) ?? facts.environment ?? 'an environment'
  const version = str(p.version) ?? 'a version'
  const outcome = str(p.outcome) ?? 'finished'
  const error = p.error as { message?: string } | undefined
  const reason = str(error?.message) ?? (p.verification as { reason?: string } | undefined)?.reason
  const kind = p.kind === 'rollback' ? 'rollback to' : 'deploy of'
  return {
    title: `${facts.pipeline}: ${kind} ${version} in ${env} ${outcome}`,
    text: [`The ${kind} ${version} in ${env} ${outcome}${str(p.previousVersion) ? ` (before: ${String(p.previousVersion)})` : ''}.`, reason ? `Reason: ${reason}` : ''].filter(Boolean).join('\n'),
    severity: outcome === 'succeeded' ? 'info' : 'error',
    fields: { version, ...(str(p.previousVersion) ? { 'previous version': String(p.previousVersion) } : {}) },
    ...(reason ? { reason } : {}),
  }
}

const SKIPPED_FIELDS = new Set(['runId', 'at', 'stageId', 'environment', 'pipeline', 'reason'])

/** Any other event: its name, where, its reason, and its scalar fields (`risk:assessed`, `gate:evaluated` …). */
function genericMessage(event: string, p: Payload, facts: NotificationFacts): Message {
  const env = str(p.environment) ?? facts.environment
  const fields: Record<string, string> = {}
  for (const [k, v] of Object.entries(p)) if (!SKIPPED_FIELDS.has(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')) fields[k] = String(v)
  const reason = str(p.reason)
  const lines = Object.entries(fields).map(([k, v]) => `${k}: ${v}`)
  const failing = p.verdict === 'fail' || p.verdict === 'failed' || p.level === 'high' || p.status === 'failed'
  return {
    title: `${facts.pipeline}: ${event}${str(p.stageId) ? ` (${String(p.stageId)})` : ''}${env ? ` in ${env}` : ''}`,
    text: [reason, ...lines].filter(Boolean).join('\n') || event,
    severity: failing ? 'error' : 'info',
    fields,
    ...(reason ? { reason } : {}),
  }
}

function messageFor(event: string, p: Payload, facts: NotificationFacts): Message {
  if (event.startsWith('run:') && typeof p.status === 'string') return runMessage(p.status, facts)
  if (event === 'stage:failed') return stageFailed(p, facts)
  if (event === 'deploy:rolled-back' || event === 'rollback:started') return rolledBack(p, facts, event === 'rollback:started')
  if (event.startsWith('environment:')) return environmentHealth(event, p)
  if (event === 'deploy:finished') return deployFinished(p, facts)
  if (event === 'approval:requested') {
    const env = facts.environment ? ` to deploy to ${facts.environment}` : ` for ${String(p.stageId)}`
    const reason = str(p.reason) ?? 'waiting for approval'
    return { title: `${facts.pipeline}: approval needed${env}`, text: `Stage ${String(p.stageId)} of run ${facts.runId} waits for approval.\n${reason}`, severity: 'warning', reason }
  }
  return genericMessage(event, p, facts)
}

/**
 * What people read, built from one event: what happened (title, text, severity), where (pipeline,
 * run, stage, environment, commit), why (the failing stage's error, the rollback reason with its
 * evidence) and a link to the run when a server URL is configured. The caller redacts it.
 */
export function composeNotification(event: string, payload: Payload, facts: NotificationFacts): Notification {
  const message = messageFor(event, payload, facts)
  const stageId = message.stageId ?? str(payload.stageId)
  const environment = str(payload.environment) ?? message.environment ?? facts.environment
  const fields: Record<string, string> = { pipeline: facts.pipeline, run: facts.runId }
  if (environment) fields.environment = environment
  if (stageId) fields.stage = stageId
  if (facts.git?.branch) fields.branch = facts.git.branch
  if (facts.git?.shortSha) fields.commit = facts.git.shortSha
  Object.assign(fields, message.fields)
  return {
    event,
    title: message.title,
    text: message.text,
    severity: message.severity,
    runId: facts.runId,
    fields,
    ...(stageId ? { stageId } : {}),
    ...(environment ? { environment } : {}),
    ...(message.reason ? { reason: message.reason } : {}),
    ...(facts.url ? { url: facts.url } : {}),
  }
}

/** `<base>/runs/<id>`, or undefined without a base URL. */
export function runUrl(baseUrl: string | undefined, runId: string): string | undefined {
  return baseUrl ? `${baseUrl.replace(/\/+$/, '')}/runs/${encodeURIComponent(runId)}` : undefined
}
