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

/** Deeper expressions are refused: parsing and evaluating them recurse, and no real one needs it. */
export const MAX_EXPRESSION_DEPTH = 100

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
  private depth = 0

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

  // Every nesting — ( ), a unary operator, a call's arguments, [ ] — recurses through here.
  override gobbleToken(): JsepNode | false | undefined {
    this.gobbleSpaces()
    const start = this.index
    if (++this.depth > MAX_EXPRESSION_DEPTH) this.throwError(`Nested more than ${MAX_EXPRESSION_DEPTH} levels deep`)
    const node = super.gobbleToken()
    this.depth--
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

/** Refuses a tree deeper than MAX_EXPRESSION_DEPTH (a long `a && b && …` chain), without recursing. */
function checkDepth(root: JsepNode): void {
  const stack: Array<[JsepNode, number]> = [[root, 1]]
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!
    if (depth > MAX_EXPRESSION_DEPTH) throw new ParseFailure(`Nested more than ${MAX_EXPRESSION_DEPTH} levels deep`, node.start ?? 0)
    for (const key of ['left', 'right', 'argument', 'object', 'property', 'callee'] as const) {
      const child = node[key] as JsepNode | undefined
      if (child && typeof child === 'object') stack.push([child, depth + 1])
    }
    for (const arg of (node.arguments as JsepNode[] | undefined) ?? []) stack.push([arg, depth + 1])
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

const SHOWN = 120

function clip(source: string): string {
  return source.length > SHOWN ? `${source.slice(0, SHOWN)}…` : source
}

/** The source with a caret under `index`, around `index` when the source is long. */
function pointAt(source: string, index: number): string {
  const from = Math.max(0, Math.min(index - SHOWN / 2, source.length - SHOWN))
  const prefix = from > 0 ? '…' : ''
  return `${prefix}${source.slice(from, from + SHOWN)}${from + SHOWN < source.length ? '…' : ''}\n${' '.repeat(prefix.length + index - from)}^\n`
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
    const tree = new ExpressionParser(source).parseAll()
    checkDepth(tree)
    node = convert(tree)
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error
    throw new PipewrightError('PW_ERR_EXPRESSION', `Invalid expression "${clip(source)}": ${error.description} at position ${error.index + 1}`, {
      details: `${pointAt(source, error.index)}${'Operators are == != && || ! < <= > >=; literals are numbers, quoted strings, true, false, null.'}${error.description.startsWith('Nested') ? ' Split a deeply nested expression into stage env: values or steps.' : ''}`,
    })
  }
  if (cache.size >= MAX_CACHED) cache.clear()
  cache.set(source, node)
  return node
}
