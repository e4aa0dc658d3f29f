/** Builds the greeting the service answers with. */
export function greet(name) {
  const who = typeof name === 'string' && name.trim() ? name.trim().slice(0, 64) : 'world'
  return `Hello, ${who}!`
}

/** Parses a positive integer query parameter, or returns the fallback. */
export function parseCount(value, fallback = 1) {
  const n = Number.parseInt(value ?? '', 10)
  return Number.isInteger(n) && n > 0 && n <= 100 ? n : fallback
}
