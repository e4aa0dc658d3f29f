import jsep from 'jsep'
import { PipewrightError } from '@pipewright/plugin-api'
import { EXPRESSION_FUNCTIONS, type CompareOperator, type ExprNode, type FunctionName } from './types.js'

type JsepNode = jsep.Expression & { start?: number }

interface JsepParser {
  index: number
  readonly expr: string
  readonly char: string
  readonly code: number
  gobbleSpaces(): void
  gobbleExpression(): JsepNode
  gobbleToken(): JsepNode | false | undefined
  gobbleTokenProperty(node: JsepNode): JsepNode
  gobbleBinaryOp(): string | false
  gobbleIdentifier(): JsepNode
  gobbleStringLiteral(): JsepNode
  gobbleArguments(termination: number): JsepNode[]
  gobbleArray(): JsepNode
  gobbleGroup(): JsepNode | false
  runHook(name: string, node?: JsepNode | false): JsepNode | false | undefined
  searchHook(name: string): JsepNode | undefined
  throwError(message: string): never
}

// jsep's parser class; its typings only describe the function form.
const Jsep = (jsep as unknown as { Jsep: new (expr: string) => JsepParser }).Jsep

const BINARY_OPERATORS = new Set(['||', '&&', '==', '!=', '<', '<=', '>', '>='])
const UNARY_OPERATORS = new Set(['!', '-'])

class ParseFailure extends Error {
  constructor(readonly description: string, readonly index: number) {
    super(description)
  }
}

/**
 * jsep with a smaller grammar. jsep's operator tables and plugin hooks are process-wide, so
 * instead of changing them (and surprising other users of jsep) this subclass refuses what
 * Pipewright does not support, at the position where it appears.
 */
class ExpressionParser extends Jsep {
  override throwError(message: string): never {
    throw new ParseFailure(message, this.index)
  }

  private failAt(index: number, message: string): never {
    this.index = index
    this.throwError(message)
  }

  // No plugins (the ternary operator is one): only the grammar below.
  override runHook(_name: string, node?: JsepNode | false): JsepNode | false | undefined {
    return node
  }

  override searchHook(): undefined {
    return undefined
  }

  parseAll(): JsepNode {
    this.gobbleSpaces()
    if (this.index >= this.expr.length) this.throwError('Empty expression')
    const node = this.gobbleExpression()
    if (!node) this.throwError(`Unexpected "${this.char}"`)
    if (this.index < this.expr.length) this.throwError(`Unexpected "${this.char}"`)
    return node
  }

  override gobbleBinaryOp(): string | false {
    this.gobbleSpaces()
    const start = this.index
    const op = super.gobbleBinaryOp()
    if (op && !BINARY_OPERATORS.has(op)) this.failAt(start, `Operator ${op} is not supported`)
    return op
  }

  override gobbleToken(): JsepNode | false | undefined {
    this.gobbleSpaces()
    const start = this.index
    const node = super.gobbleToken()
    if (!node) return node
    if (node.type === 'UnaryExpression' && !UNARY_OPERATORS.has(node.operator as string)) this.failAt(start, `Operator ${String(node.operator)} is not supported`)
    node.start ??= start
    return node
  }

  override gobbleIdentifier(): JsepNode {
    const start = this.index
    const node = super.gobbleIdentifier()
    // As in GitHub Actions, names may contain '-' (outputs.image-id): there is no subtraction to confuse it with.
    if (this.char === '-') {
      let name = node.name as string
      while (this.index < this.expr.length && /[-A-Za-z0-9_]/.test(this.char)) {
        name += this.char
        this.index++
      }
      if (name.endsWith('-')) this.failAt(this.index - 1, `A name cannot end with "-": ${name}`)
      node.name = name
    }
    node.start = start
    return node
  }

  override gobbleStringLiteral(): JsepNode {
    const start = this.index
    const quote = this.char
    let value = ''
    this.index++
    while (this.index < this.expr.length) {
      const ch = this.char
      this.index++
      if (ch === quote) {
        // GitHub Actions escapes a quote by doubling it: 'it''s'
        if (this.char !== quote) return { type: 'Literal', value, raw: this.expr.slice(start, this.index), start }
        this.index++
        value += quote
      } else if (ch === '\\' && this.index < this.expr.length) {
        const next = this.char
        this.index++
        value += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next
      } else {
        value += ch
      }
    }
    return this.failAt(start, 'Unclosed string')
  }

  override gobbleArray(): JsepNode {
    return this.throwError('Array literals are not supported')
  }

  override gobbleGroup(): JsepNode | false {
    this.index++
    const node = this.gobbleExpression()
    if (!node) this.throwError('Expected an expression inside ( )')
    this.gobbleSpaces()
    if (this.char !== ')') this.throwError(this.index >= this.expr.length ? 'Unclosed (' : `Expected ) but found "${this.char}"`)
    this.index++
    return node
  }

  override gobbleTokenProperty(node: JsepNode): JsepNode {
    if (node.type === 'ThisExpression') this.failAt(this.index - 4, '`this` is not supported')
    for (;;) {
      this.gobbleSpaces()
      const at = this.index
      const ch = this.char
      if (ch === '.') {
        this.index++
        this.gobbleSpaces()
        node = { type: 'MemberExpression', computed: false, object: node, property: this.gobbleIdentifier(), start: node.start }
      } else if (ch === '[') {
        this.index++
        const property = this.gobbleExpression()
        if (!property) this.throwError(`Unexpected "${this.char}"`)
        this.gobbleSpaces()
        if (this.char !== ']') this.throwError('Unclosed [')
        this.index++
        node = { type: 'MemberExpression', computed: true, object: node, property, start: node.start }
      } else if (ch === '(') {
        const name = node.type === 'Identifier' ? (node.name as string) : undefined
        if (name === undefined || !Object.hasOwn(EXPRESSION_FUNCTIONS, name)) {
          this.failAt(node.start ?? at, `Only these functions can be called: ${Object.keys(EXPRESSION_FUNCTIONS).join(', ')}`)
        }
        this.index++
        node = { type: 'CallExpression', callee: node, arguments: this.gobbleArguments(41), start: node.start }
      } else {
        return node
      }
    }
  }
}

function convert(node: JsepNode): ExprNode {
  const start = node.start ?? 0
  switch (node.type) {
    case 'Literal':
      return { type: 'literal', value: node.value as string | number | boolean | null, start }
    case 'Identifier':
      return { type: 'context', name: node.name as string, start }
    case 'MemberExpression': {
      const property = node.property as JsepNode
      const key: ExprNode = node.computed ? convert(property) : { type: 'literal', value: property.name as string, start: property.start ?? start }
      return { type: 'property', object: convert(node.object as JsepNode), key, start }
    }
    case 'CallExpression': {
      const name = (node.callee as JsepNode).name as FunctionName
      const args = (node.arguments as JsepNode[]).map(convert)
      const [min, max] = EXPRESSION_FUNCTIONS[name].args
      if (args.length < min || args.length > max) {
        const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`
        throw new ParseFailure(`${name}() takes ${expected} argument${min === 1 && max === 1 ? '' : 's'}, got ${args.length}`, start)
      }
      return { type: 'call', name, args, start }
    }
    case 'UnaryExpression':
      return { type: node.operator === '!' ? 'not' : 'negate', argument: convert(node.argument as JsepNode), start }
    case 'BinaryExpression': {
      const left = convert(node.left as JsepNode)
      const right = convert(node.right as JsepNode)
      const operator = node.operator as string
      if (operator === '&&') return { type: 'and', left, right, start: left.start }
      if (operator === '||') return { type: 'or', left, right, start: left.start }
      return { type: 'compare', operator: operator as CompareOperator, left, right, start: left.start }
    }
    default:
      throw new ParseFailure(`${node.type} is not supported`, start)
  }
}

const MAX_CACHED = 10_000
const cache = new Map<string, ExprNode>()

/**
 * Parses an expression (the text inside `${{ }}`). The result is cached per distinct source,
 * because the engine evaluates the same few expressions for every stage of every run.
 * Throws `PW_ERR_EXPRESSION` naming the position of the problem.
 */
export function parseExpression(source: string): ExprNode {
  const cached = cache.get(source)
  if (cached) return cached
  let node: ExprNode
  try {
    node = convert(new ExpressionParser(source).parseAll())
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error
    throw new PipewrightError('PW_ERR_EXPRESSION', `Invalid expression "${source}": ${error.description} at position ${error.index + 1}`, {
      details: `${source}\n${' '.repeat(error.index)}^\n${'Operators are == != && || ! < <= > >=; literals are numbers, quoted strings, true, false, null.'}`,
    })
  }
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(source, node)
  return node
}
