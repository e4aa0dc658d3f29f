import { PipewrightError } from '@pipewright/plugin-api'
import { evaluateExpression } from './evaluate.js'
import { parseExpression } from './parser.js'
import { findExpressions } from './template.js'
import { STATUS_FUNCTIONS, type ExprNode, type ExpressionContext } from './types.js'
import { isTruthy } from './values.js'

/**
 * The expression of an `if:`, which may be written bare or as one `${{ }}`.
 * Throws `PW_ERR_EXPRESSION` when `${{ }}` is mixed with other text: GitHub Actions treats that
 * as a non-empty string, which is always true — almost never what the author meant.
 */
export function conditionSource(condition: string): string {
  const text = condition.trim()
  if (!text.includes('${{')) return text
  const found = findExpressions(text)
  const only = found[0]
  if (found.length === 1 && only && only.start === 0 && only.end === text.length) return only.source
  throw new PipewrightError('PW_ERR_EXPRESSION', `Condition "${condition}" mixes \${{ }} with other text`, {
    details: 'Write the whole condition as one expression, with or without ${{ }}: e.g. `git.branch == \'main\'`.',
  })
}

/** True if the expression calls success(), failure(), always() or cancelled() anywhere. */
export function usesStatusFunction(node: ExprNode): boolean {
  switch (node.type) {
    case 'call':
      return STATUS_FUNCTIONS.has(node.name) || node.args.some(usesStatusFunction)
    case 'property':
      return usesStatusFunction(node.object) || usesStatusFunction(node.key)
    case 'not':
    case 'negate':
      return usesStatusFunction(node.argument)
    case 'compare':
    case 'and':
    case 'or':
      return usesStatusFunction(node.left) || usesStatusFunction(node.right)
    default:
      return false
  }
}

const implicitSuccess = new WeakMap<ExprNode, boolean>()

/**
 * Decides whether a stage runs. No condition means `success()`; a condition that calls none of
 * the status functions is `success() && (condition)`, as in GitHub Actions, so a failed need
 * still skips the stage.
 */
export function evaluateCondition(condition: string | undefined, ctx: ExpressionContext): boolean {
  const source = condition === undefined ? '' : conditionSource(condition)
  if (source === '') return ctx.status.success
  const node = parseExpression(source)
  let needsSuccess = implicitSuccess.get(node)
  if (needsSuccess === undefined) {
    needsSuccess = !usesStatusFunction(node)
    implicitSuccess.set(node, needsSuccess)
  }
  if (needsSuccess && !ctx.status.success) return false
  return isTruthy(evaluateExpression(source, ctx))
}
