import picomatch from 'picomatch'

export interface FilterResult {
  name: string
  matched: string[]
}

/**
 * Matches changed files against named glob filters. A pattern starting with `!` excludes files
 * that other patterns of the same filter matched. Dotfiles match like any other file.
 */
export function matchFilters(files: readonly string[], filters: Record<string, string | string[]>): FilterResult[] {
  return Object.entries(filters).map(([name, value]) => {
    const patterns = Array.isArray(value) ? value : [value]
    const include = patterns.filter((p) => !p.startsWith('!'))
    const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1))
    const isIncluded = include.length > 0 ? picomatch(include, { dot: true }) : () => false
    const isExcluded = exclude.length > 0 ? picomatch(exclude, { dot: true }) : () => false
    return { name, matched: files.filter((file) => isIncluded(file) && !isExcluded(file)) }
  })
}
