import { splitPointFromPattern, type SplitPattern, type SplitPoint } from '../exec/line-reader.js'

/** Replacement shown wherever a secret would appear. */
export const MASK = '***'

/** Every form of a secret that may show up in output: plain, per line, base64 (any alignment), URL-encoded. */
export function secretForms(value: string): string[] {
  const forms = new Set<string>()
  const add = (s: string, min = 1) => {
    if (s.length >= min) forms.add(s)
  }
  add(value)
  if (value.includes('\n')) for (const line of value.split(/\r?\n/)) add(line.trim(), 4)
  // As it appears inside JSON (quotes, backslashes, newlines escaped), e.g. in a JSON document a stage prints.
  const json = JSON.stringify(value).slice(1, -1)
  if (json !== value) add(json, 2)
  add(encodeURIComponent(value), 2)
  add(encodeURIComponent(value).replace(/%20/g, '+'), 2)
  const bytes = Buffer.from(value, 'utf8')
  for (let shift = 0; shift < 3; shift++) {
    // Base64 of the secret inside a longer payload depends on its alignment: keep only the
    // characters determined by the secret's own bytes, for each of the 3 alignments.
    const enc = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64').replace(/=+$/, '')
    const start = Math.ceil((8 * shift) / 6)
    const end = Math.floor((8 * (shift + bytes.length)) / 6)
    const fragment = enc.slice(start, end)
    add(fragment, 4)
    add(fragment.replace(/\+/g, '-').replace(/\//g, '_'), 4)
  }
  return [...forms]
}

export type Redactor = (text: string) => string

const identity: Redactor = (text) => text

/** The matcher behind each redactor createRedactor made, for splitPointFor. */
const matchers = new WeakMap<Redactor, { re: RegExp; longest: number }>()

const literal = (form: string) => form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** A form as a pattern: literal, except that a `%XX` escape matches in either case (`%2B`, `%2b`). */
function formPattern(form: string): string {
  return literal(form).replace(/%([0-9A-Fa-f])([0-9A-Fa-f])/g, (_, a: string, b: string) => `%${hexClass(a)}${hexClass(b)}`)
}

function hexClass(digit: string): string {
  return /[0-9]/.test(digit) ? digit : `[${digit.toUpperCase()}${digit.toLowerCase()}]`
}

/** Builds one matcher over all forms of all secrets, longest first so a form never half-masks another. */
export function createRedactor(secrets: Iterable<string>): Redactor {
  const forms = new Set<string>()
  for (const s of secrets) if (s) for (const f of secretForms(s)) forms.add(f)
  if (forms.size === 0) return identity
  const sorted = [...forms].sort((a, b) => b.length - a.length)
  const source = sorted.map(formPattern).join('|')
  const re = new RegExp(source, 'g')
  // Most lines hold no secret: a non-global test finds that faster than replace() does.
  const any = new RegExp(source)
  const redact: Redactor = (text) => (text && any.test(text) ? text.replace(re, MASK) : text)
  matchers.set(redact, { re, longest: sorted[0]!.length })
  return redact
}

/** The pattern of a redactor made by createRedactor (undefined for others and when there are no secrets). */
export function splitPatternOf(redact: Redactor): SplitPattern | undefined {
  const matcher = matchers.get(redact)
  return matcher ? { source: matcher.re.source, longest: matcher.longest } : undefined
}

/**
 * A split point for a long line (see LineReader) that never cuts through a secret, so that the
 * pieces, redacted one by one, mask it as the whole line would. Redactors not made by
 * createRedactor get the soft split point.
 */
export function splitPointFor(redact: Redactor): SplitPoint {
  return splitPointFromPattern(splitPatternOf(redact))
}

/** Redacts every string inside a JSON-compatible value. */
export function redactDeep<T>(value: T, redact: Redactor): T {
  if (redact === identity) return value
  if (typeof value === 'string') return redact(value) as T
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, redact)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, redact)
    return out as T
  }
  return value
}
