import { createRequire } from 'node:module'
import { isAbsolute, relative, sep } from 'node:path'
import picomatch from 'picomatch'
import { COVERAGE_METRICS, type CoverageFiles, type CoverageMetric, type Counts, type FileCoverage } from '../model.js'
import { type Percentages, istanbulPercent, percent } from './percent.js'

const require = createRequire(import.meta.url)

/**
 * The files c8 and nyc leave out of coverage by default (test files, test directories, tool
 * configs), from the list they both read: `@istanbuljs/schema`'s default exclude.
 */
export const SOURCE_DEFAULT_EXCLUDE: readonly string[] = Object.freeze([...(require('@istanbuljs/schema/default-exclude.js') as string[])])

/** c8, nyc, vitest and jest never count dependencies; neither does the plugin. */
const ALWAYS_EXCLUDED = '**/node_modules/**'

/** How a tool turns counts into its printed figures: istanbul truncates, node:test rounds. */
export type Rounding = 'istanbul' | 'nearest'

/** Which files of a coverage report count: globs relative to the working directory. */
export interface CoverageScope {
  /** Only files matching one of these count; undefined: every file in the report. */
  include?: string[]
  exclude: string[]
  /** The runner that already left files out before writing the report (c8, vitest, jest). */
  chosenBy?: string
}

/** A report's file path relative to the workspace, with `/`, when it lies inside it. */
export function workspacePath(file: string, workspace: string): string {
  if (!isAbsolute(file)) return file.split(sep).join('/').replace(/^\.\//, '')
  const rel = relative(workspace, file)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel.split(sep).join('/') : file.split(sep).join('/')
}

/** Keeps the files in scope and sums their counts into percentages the way istanbul does. */
export function summarizeFiles(files: FileCoverage[], scope: CoverageScope, workspace: string, rounding: Rounding = 'istanbul'): { percentages: Percentages; files: CoverageFiles; allCounted: boolean } {
  const included = scope.include && scope.include.length > 0 ? picomatch(scope.include, { dot: true }) : () => true
  const excluded = picomatch([ALWAYS_EXCLUDED, ...scope.exclude], { dot: true })
  const counted: FileCoverage[] = []
  const left: string[] = []
  for (const f of files) {
    const path = workspacePath(f.file, workspace)
    if (included(path) && !excluded(path)) counted.push({ ...f, file: path })
    else left.push(path)
  }
  const percentages: Percentages = {}
  for (const metric of COVERAGE_METRICS) {
    const sum = sumMetric(counted, metric)
    if (sum !== undefined) percentages[metric] = (rounding === 'nearest' ? percent : istanbulPercent)(sum.covered, sum.total)
  }
  return {
    percentages,
    files: { counted: counted.map((f) => f.file).sort(), excluded: left.sort(), ...(scope.include ? { include: scope.include } : {}), exclude: scope.exclude, ...(scope.chosenBy ? { chosenBy: scope.chosenBy } : {}) },
    allCounted: left.length === 0,
  }
}

function sumMetric(files: FileCoverage[], metric: CoverageMetric): Counts | undefined {
  let seen = false
  const sum: Counts = { covered: 0, total: 0 }
  for (const f of files) {
    const m = f.metrics[metric]
    if (m === undefined) continue
    seen = true
    sum.covered += m.covered
    sum.total += m.total
  }
  return seen ? sum : undefined
}
