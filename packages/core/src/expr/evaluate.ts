import { PipewrightError } from '@pipewright/plugin-api'
import { FUNCTION_IMPLEMENTATIONS } from './functions.js'
import { parseExpression } from './parser.js'
import { EXPRESSION_CONTEXTS, type ExprNode, type ExpressionContext } from './types.js'
import { compare, isTruthy, readProperty, toNumber } from './values.js'

function readContext(name: string, ctx: ExpressionContext): unknown {
  if (name === 'result' && ctx.result !== undefined) return ctx.result
  if (!Object.hasOwn(EXPRESSION_CONTEXTS, name)) {
    throw new PipewrightError('PW_ERR_EXPRESSION', `Unknown name "${name}" in expression`, { details: `Expressions can read ${Object.keys(EXPRESSION_CONTEXTS).join(', ')}.` })
  }
  return ctx[name as keyof typeof EXPRESSION_CONTEXTS] ?? null
}

/** Evaluates a parsed expression; `&&` and `||` return one of their operands, like JavaScript. */
export function evaluateNode(node: ExprNode, ctx: ExpressionContext): unknown {
  switch (node.type) {
    case 'literal':
      return node.value
    case 'context':
      return readContext(node.name, ctx)
    case 'property':
      return readProperty(evaluateNode(node.object, ctx), evaluateNode(node.key, ctx))
    case 'call':
      return FUNCTION_IMPLEMENTATIONS[node.name](node.args.map((arg) => evaluateNode(arg, ctx)), ctx)
    case 'not':
      return !isTruthy(evaluateNode(node.argument, ctx))
    case 'negate':
      return -toNumber(evaluateNode(node.argument, ctx))
    case 'compare':
      return compare(node.operator, evaluateNode(node.left, ctx), evaluateNode(node.right, ctx))
    case 'and': {
      const left = evaluateNode(node.left, ctx)
      return isTruthy(left) ? evaluateNode(node.right, ctx) : left
    }
    case 'or': {
      const left = evaluateNode(node.left, ctx)
      return isTruthy(left) ? left : evaluateNode(node.right, ctx)
    }
  }
}

/** Parses (cached) and evaluates the text inside `${{ }}`. */
export function evaluateExpression(source: string, ctx: ExpressionContext): unknown {
  const node = parseExpression(source)
  try {
    return evaluateNode(node, ctx)
  } catch (error) {
    if (error instanceof PipewrightError && error.code === 'PW_ERR_EXPRESSION') {
      throw new PipewrightError('PW_ERR_EXPRESSION', `In expression "${source}": ${error.message}`, { details: error.details, cause: error })
    }
    throw error
  }
}
