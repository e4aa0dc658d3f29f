import { basename } from 'node:path'
import { malformed, readReportFile, type FileOrigin } from '../input-file.js'
import type { CoverageFiles, CoverageFormat, CoverageSummary, FileCoverage } from '../model.js'
import { parseCobertura } from './cobertura.js'
import { parseIstanbulSummary } from './istanbul.js'
import { parseLcov } from './lcov.js'
import type { Percentages } from './percent.js'
import { type CoverageScope, type Rounding, summarizeFiles } from './scope.js'

/** Which format a coverage file is in, from its name first and its first bytes second. */
export function detectCoverageFormat(file: string, text: string): CoverageFormat | undefined {
  const name = basename(file).toLowerCase()
  if (name.endsWith('.json')) return 'istanbul'
  if (name.endsWith('.info') || name.includes('lcov')) return 'lcov'
  if (name.endsWith('.xml')) return 'cobertura'
  const start = text.trimStart()
  if (start.startsWith('{')) return 'istanbul'
  if (start.startsWith('<')) return 'cobertura'
  if (/^(TN|SF):/m.test(text)) return 'lcov'
  return undefined
}

/**
 * Reads a coverage report (istanbul json-summary, lcov or Cobertura) into percentages over the
 * files in `scope` (paths relative to `workspace`). When every file of the report is in scope,
 * a report's own totals are kept as the tool printed them.
 */
export async function readCoverage(
  file: string,
  displayName: string,
  origin: Omit<FileOrigin, 'kind'>,
  format?: CoverageFormat,
  options: { scope?: CoverageScope; workspace?: string; rounding?: Rounding } = {},
): Promise<CoverageSummary> {
  const text = await readReportFile(file, { ...origin, kind: 'Coverage' }, displayName)
  const resolved = format ?? detectCoverageFormat(file, text)
  const fileOrigin = { ...origin, kind: `Coverage (${resolved ?? 'unknown format'})` }
  let parsed: { totals?: Percentages; files: FileCoverage[] }
  switch (resolved) {
    case 'istanbul':
      parsed = parseIstanbulSummary(text, displayName, fileOrigin)
      break
    case 'lcov':
      parsed = { files: parseLcov(text, displayName, fileOrigin) }
      break
    case 'cobertura':
      parsed = parseCobertura(text, displayName, fileOrigin)
      break
    default:
      throw malformed(displayName, fileOrigin, 'not istanbul json-summary, lcov or Cobertura XML; set `coverage.format` if the name does not tell')
  }
  const source = { format: resolved, file: displayName }
  if (parsed.files.length === 0) {
    if (parsed.totals === undefined) throw malformed(displayName, fileOrigin, 'the report lists no file')
    return { ...parsed.totals, source }
  }
  const scoped = summarizeFiles(parsed.files, options.scope ?? { exclude: [] }, options.workspace ?? process.cwd(), options.rounding)
  if (scoped.files.counted.length === 0) {
    throw malformed(displayName, fileOrigin, `none of its ${parsed.files.length} files is in scope (${describeScope(scoped.files)}); check \`coverage.include\` and \`coverage.exclude\` of the stage`)
  }
  // The tool's own totals are the figures its users see; recomputing them could differ in rounding.
  const percentages = scoped.allCounted && parsed.totals ? { ...scoped.percentages, ...parsed.totals } : scoped.percentages
  return { ...percentages, source, files: scoped.files }
}

function describeScope(files: CoverageFiles): string {
  return [files.include ? `include ${files.include.join(', ')}` : '', `exclude ${['**/node_modules/**', ...files.exclude].join(', ')}`].filter(Boolean).join('; ')
}
