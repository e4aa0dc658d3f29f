import { basename } from 'node:path'
import { malformed, readReportFile, type FileOrigin } from '../input-file.js'
import type { CoverageFormat, CoverageSummary } from '../model.js'
import { parseCobertura } from './cobertura.js'
import { parseIstanbulSummary } from './istanbul.js'
import { parseLcov } from './lcov.js'

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

/** Reads a coverage report (istanbul json-summary, lcov or Cobertura) into percentages. */
export async function readCoverage(file: string, displayName: string, origin: Omit<FileOrigin, 'kind'>, format?: CoverageFormat): Promise<CoverageSummary> {
  const text = await readReportFile(file, { ...origin, kind: 'Coverage' }, displayName)
  const resolved = format ?? detectCoverageFormat(file, text)
  const fileOrigin = { ...origin, kind: `Coverage (${resolved ?? 'unknown format'})` }
  let percentages
  switch (resolved) {
    case 'istanbul':
      percentages = parseIstanbulSummary(text, displayName, fileOrigin)
      break
    case 'lcov':
      percentages = parseLcov(text, displayName, fileOrigin)
      break
    case 'cobertura':
      percentages = parseCobertura(text, displayName, fileOrigin)
      break
    default:
      throw malformed(displayName, fileOrigin, 'not istanbul json-summary, lcov or Cobertura XML; set `coverage.format` if the name does not tell')
  }
  return { ...percentages, source: { format: resolved, file: displayName } }
}
