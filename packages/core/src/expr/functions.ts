import { PipewrightError } from '@pipewright/plugin-api'
import type { ExpressionContext, FunctionName } from './types.js'
import { looseEquals, toText } from './values.js'

type Implementation = (args: unknown[], ctx: ExpressionContext) => unknown

function format(args: unknown[]): string {
  const [template, ...values] = args
  const text = toText(template)
  return text.replace(/\{\{|\}\}|\{(\d+)\}/g, (match, index: string | undefined) => {
    if (match === '{{') return '{'
    if (match === '}}') return '}'
    const n = Number(index)
    if (n >= values.length) throw new PipewrightError('PW_ERR_EXPRESSION', `format('${text}'): {${n}} has no argument (got ${values.length})`, { details: 'Pass one argument per {N} placeholder, counting from {0}.' })
    return toText(values[n])
  })
}

function fromJSON(args: unknown[]): unknown {
  const text = toText(args[0])
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    // JSON.parse quotes a piece of its input in its message, which may be a secret: keep only the position.
    const at = /position (\d+)/.exec((error as Error).message)?.[1]
    throw new PipewrightError('PW_ERR_EXPRESSION', `fromJSON(): the value (${text.length} characters) is not valid JSON${at ? ` at position ${at}` : ''}`, { details: 'Make sure the value passed to fromJSON() is a JSON document, e.g. a stage output written with JSON.stringify.' })
  }
}

export const FUNCTION_IMPLEMENTATIONS: Record<FunctionName, Implementation> = {
  contains: ([search, item]) => (Array.isArray(search) ? search.some((element) => looseEquals(element, item)) : toText(search).toLowerCase().includes(toText(item).toLowerCase())),
  startsWith: ([text, prefix]) => toText(text).toLowerCase().startsWith(toText(prefix).toLowerCase()),
  endsWith: ([text, suffix]) => toText(text).toLowerCase().endsWith(toText(suffix).toLowerCase()),
  format,
  toJSON: ([value]) => JSON.stringify(value ?? null, null, 2),
  fromJSON,
  success: (_args, ctx) => ctx.status.success,
  failure: (_args, ctx) => ctx.status.failure,
  always: () => true,
  cancelled: (_args, ctx) => ctx.status.cancelled,
}
