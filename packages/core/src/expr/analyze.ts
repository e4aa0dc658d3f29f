import type { ExprNode, FunctionName } from './types.js'

/** A read of a context: `stages.build.outputs.tag` is `['stages', 'build', 'outputs', 'tag']`. */
export interface ContextReference {
  /** The context name followed by every property read with a literal key. */
  path: string[]
  /** 0-based offset of the context name in the expression. */
  start: number
}

/** Every context read and function call in an expression, for checks before a run. */
export function analyzeExpression(node: ExprNode): { references: ContextReference[]; calls: Array<{ name: FunctionName; start: number }> } {
  const references: ContextReference[] = []
  const calls: Array<{ name: FunctionName; start: number }> = []

  // Returns the literal path of a member chain, so the outermost access records it once.
  const chain = (n: ExprNode): ContextReference | undefined => {
    if (n.type === 'context') return { path: [n.name], start: n.start }
    if (n.type !== 'property') return undefined
    const base = chain(n.object)
    if (!base) {
      visit(n.object)
      visit(n.key)
      return undefined
    }
    if (n.key.type === 'literal' && n.key.value !== null && typeof n.key.value !== 'boolean') return { path: [...base.path, String(n.key.value)], start: base.start }
    visit(n.key)
    references.push(base)
    return undefined
  }

  const visit = (n: ExprNode): void => {
    switch (n.type) {
      case 'context':
      case 'property': {
        const ref = chain(n)
        if (ref) references.push(ref)
        return
      }
      case 'call':
        calls.push({ name: n.name, start: n.start })
        n.args.forEach(visit)
        return
      case 'not':
      case 'negate':
        visit(n.argument)
        return
      case 'compare':
      case 'and':
      case 'or':
        visit(n.left)
        visit(n.right)
        return
      default:
        return
    }
  }

  visit(node)
  return { references, calls }
}
