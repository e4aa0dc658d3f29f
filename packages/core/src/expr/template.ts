import { PipewrightError } from '@pipewright/plugin-api'
import { evaluateExpression } from './evaluate.js'
import type { ExpressionContext } from './types.js'
import { toText } from './values.js'

export interface FoundExpression {
  /** The expression inside the delimiters, trimmed. */
  source: string
  /** Offset of `$` in `${{`. */
  start: number
  /** Offset just after `}}`. */
  end: number
}

/** Offset just after the `}}` closing an expression opened at `from`, skipping quoted strings. */
function closingOffset(text: string, from: number): number | undefined {
  let quote: string | undefined
  for (let i = from; i < text.length; i++) {
    const ch = text[i]
    if (quote) {
      if (ch === '\\') i++
      else if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"') {
      quote = ch
    } else if (ch === '}' && text[i + 1] === '}') {
      return i + 2
    }
  }
  return undefined
}

/**
 * Every `${{ … }}` in a text, in order. A `}}` inside a quoted string does not close the
 * expression. Throws `PW_ERR_EXPRESSION` for a `${{` that is never closed.
 */
export function findExpressions(text: string): FoundExpression[] {
  const found: FoundExpression[] = []
  let from = 0
  for (let start = text.indexOf('${{', from); start !== -1; start = text.indexOf('${{', from)) {
    const end = closingOffset(text, start + 3)
    if (end === undefined) {
      throw new PipewrightError('PW_ERR_EXPRESSION', `Unclosed \${{ at position ${start + 1} of "${text}"`, { details: 'Close the expression with }}.' })
    }
    found.push({ source: text.slice(start + 3, end - 2).trim(), start, end })
    from = end
  }
  return found
}

/** Replaces every `${{ … }}` with its value as text: null is empty, objects become JSON. */
export function interpolate(text: string, ctx: ExpressionContext): string {
  if (!text.includes('${{')) return text
  let result = ''
  let last = 0
  for (const expression of findExpressions(text)) {
    result += text.slice(last, expression.start) + toText(evaluateExpression(expression.source, ctx))
    last = expression.end
  }
  return result + text.slice(last)
}
