/**
 * Value semantics of GitHub Actions expressions: loose comparison through numbers,
 * case-insensitive strings, and a fixed way to turn any value into text.
 */

export function isTruthy(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false
  if (typeof value === 'number') return value !== 0 && !Number.isNaN(value)
  return true
}

export function toNumber(value: unknown): number {
  if (value === null || value === undefined) return 0
  if (typeof value === 'number') return value
  if (typeof value === 'boolean') return value ? 1 : 0
  if (typeof value === 'string') {
    const text = value.trim()
    if (text === '') return 0
    // Number() accepts 0x.., 0b.. and Infinity, which GitHub does too; it rejects the rest.
    return Number(text)
  }
  return Number.NaN
}

/** Text for `${{ }}` interpolation: null is empty, objects are JSON. */
export function toText(value: unknown): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function isPrimitive(value: unknown): boolean {
  return value === null || value === undefined || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

/** -1, 0, 1, or undefined when the two cannot be ordered (NaN, objects). */
function order(left: unknown, right: unknown): number | undefined {
  if (typeof left === 'string' && typeof right === 'string') {
    const a = left.toUpperCase()
    const b = right.toUpperCase()
    return a < b ? -1 : a > b ? 1 : 0
  }
  if (!isPrimitive(left) || !isPrimitive(right)) return left === right ? 0 : undefined
  const a = toNumber(left)
  const b = toNumber(right)
  if (Number.isNaN(a) || Number.isNaN(b)) return undefined
  return a < b ? -1 : a > b ? 1 : 0
}

export function looseEquals(left: unknown, right: unknown): boolean {
  if ((left === null || left === undefined) && (right === null || right === undefined)) return true
  return order(left, right) === 0
}

export function compare(operator: '==' | '!=' | '<' | '<=' | '>' | '>=', left: unknown, right: unknown): boolean {
  if (operator === '==') return looseEquals(left, right)
  if (operator === '!=') return !looseEquals(left, right)
  const result = order(left, right)
  if (result === undefined) return false
  if (operator === '<') return result < 0
  if (operator === '<=') return result <= 0
  if (operator === '>') return result > 0
  return result >= 0
}

/**
 * Reads a property the way GitHub Actions does: missing is null, names ignore case, and only
 * own data properties count, so `env.constructor` or `__proto__` never reach JavaScript internals.
 */
export function readProperty(object: unknown, key: unknown): unknown {
  if (object === null || typeof object !== 'object') return null
  if (Array.isArray(object)) {
    const index = toNumber(key)
    return Number.isInteger(index) && index >= 0 && index < object.length ? object[index] : null
  }
  if (typeof key !== 'string' && typeof key !== 'number') return null
  const name = String(key)
  if (Object.hasOwn(object, name)) return (object as Record<string, unknown>)[name] ?? null
  const lower = name.toLowerCase()
  for (const own of Object.keys(object)) if (own.toLowerCase() === lower) return (object as Record<string, unknown>)[own] ?? null
  return null
}
