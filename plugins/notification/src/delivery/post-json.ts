import { CLOCK, PipewrightError, type NotifierContext } from '@pipewright/plugin-api'
import { describeFailure, withDeadline } from '../deadline.js'
import { displayUrl } from '../display-url.js'
import { parseRetryAfter, type RetryConfig } from './policy.js'
import { withRetries, type AttemptOutcome } from './retry.js'

export interface PostRequest {
  /** `notification/webhook`, `notification/slack`: names the channel in logs and errors. */
  channel: string
  url: string
  /** The exact bytes sent on every attempt. */
  body: Buffer
  /** Headers of attempt `n` (1-based): a signature may be made anew each time. */
  headers(attempt: number): Record<string, string>
  retry: RetryConfig
  timeoutMs: number
  /** Show the URL without its path (when the path is the secret). */
  hidePath?: boolean
}

export interface PostResult {
  status: number
  attempts: number
}

/** Receivers' error bodies are quoted in messages up to this many characters. */
const SNIPPET = 200

/**
 * POSTs a JSON body with retries: 5xx, 429, a refused connection or a time-out are retried with
 * back-off; any other answer that is not 2xx (4xx, a redirect) fails at once. The last failure
 * throws a PipewrightError naming the URL — without credentials, query or (with `hidePath`) path —
 * and the last status.
 */
export async function postJson(ctx: NotifierContext, request: PostRequest): Promise<PostResult> {
  const where = `POST ${displayUrl(request.url, { hidePath: request.hidePath })}`
  const clock = ctx.resolve(CLOCK)
  const { url, authorization } = splitCredentials(request.url)
  let lastStatus: number | undefined
  const { outcome, attempts } = await withRetries(ctx, request.retry, request.channel, async (n): Promise<AttemptOutcome<number>> => {
    try {
      const { status, retryAfter, text } = await withDeadline(ctx.signal, request.timeoutMs, async (signal) => {
        const headers = { ...(authorization ? { authorization } : {}), ...request.headers(n) }
        const res = await fetch(url, { method: 'POST', body: request.body, headers, redirect: 'manual', signal })
        return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text().catch(() => '') }
      })
      lastStatus = status
      if (status >= 200 && status < 300) return { ok: true, value: status }
      const problem = `${where} answered ${status}${snippet(ctx, text)}`
      const retry = status >= 500 || status === 429
      return { ok: false, retry, problem, ...(retry ? withRetryAfter(parseRetryAfter(retryAfter, clock.now())) : {}) }
    } catch (error) {
      return { ok: false, retry: true, problem: `${where} failed: ${ctx.redact(describeFailure(error))}` }
    }
  })
  if (outcome.ok) return { status: outcome.value, attempts }
  if (ctx.signal.aborted) throw new PipewrightError('PW_ERR_CANCELLED', `${request.channel}: the run was cancelled before ${where} took the notification`)
  const retried = lastStatus === undefined || lastStatus >= 500 || lastStatus === 429
  const tries = `after ${attempts} attempt${attempts === 1 ? '' : 's'}`
  throw new PipewrightError(
    retried ? 'PW_ERR_NOTIFICATION_DELIVERY' : 'PW_ERR_NOTIFICATION_REJECTED',
    `${request.channel}: ${outcome.problem} ${retried ? tries : '(not retried: a 4xx means the request itself is wrong)'}`,
    retried
      ? { details: `Last status: ${lastStatus ?? 'no answer'}. Check that the receiver is up and reachable from here, or raise retry.attempts (now ${request.retry.attempts}).` }
      : { details: `Last status: ${lastStatus}. Check the URL${request.channel === 'notification/webhook' ? ', the signing secret' : ''} and what the receiver expects.` },
  )
}

/** fetch refuses URLs with user info: send `https://user:pass@host/…` as Basic authorization instead. */
export function splitCredentials(raw: string): { url: string; authorization?: string } {
  const u = new URL(raw)
  if (!u.username && !u.password) return { url: raw }
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`
  u.username = ''
  u.password = ''
  return { url: u.toString(), authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` }
}

function withRetryAfter(ms: number | undefined): { retryAfterMs?: number } {
  return ms === undefined ? {} : { retryAfterMs: ms }
}

// Receivers say why in their body (Slack: "invalid_payload", "no_service"): quote its start, masked.
function snippet(ctx: NotifierContext, text: string): string {
  const line = text.replace(/\s+/g, ' ').trim()
  if (!line) return ''
  return ` (${ctx.redact(line.length > SNIPPET ? `${line.slice(0, SNIPPET)}…` : line)})`
}
