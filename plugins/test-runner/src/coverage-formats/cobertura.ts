import { XMLParser, XMLValidator } from 'fast-xml-parser'
import { malformed, type FileOrigin } from '../input-file.js'
import type { FileCoverage } from '../model.js'
import { type Percentages, percent, round } from './percent.js'

type XmlNode = Record<string, unknown>

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseAttributeValue: false, isArray: (name) => ['package', 'class', 'method', 'line'].includes(name) })

/**
 * Reads a Cobertura XML report. Lines and branches come from the root rates (or counts);
 * functions from the `<method>` elements, a method counting as covered when it was hit.
 * `files` has each class's file (`filename`) with its own counts, for scoping.
 */
export function parseCobertura(text: string, file: string, origin: FileOrigin): { totals: Percentages; files: FileCoverage[] } {
  const valid = XMLValidator.validate(text)
  if (valid !== true) throw malformed(file, origin, `${valid.err.msg} (line ${valid.err.line}, column ${valid.err.col})`)
  const root = (parser.parse(text) as XmlNode).coverage as XmlNode | undefined
  if (typeof root !== 'object' || root === null) throw malformed(file, origin, 'no <coverage> root element: is this a Cobertura report?')

  const result: Percentages = {}
  const lines = rate(root, 'lines')
  const branches = rate(root, 'branches')
  if (lines !== undefined) result.lines = lines
  if (branches !== undefined) result.branches = branches

  let methods = 0
  let hitMethods = 0
  const files = new Map<string, FileCoverage>()
  for (const pkg of list((root.packages as XmlNode | undefined)?.package)) {
    for (const cls of list((pkg.classes as XmlNode | undefined)?.class)) {
      const name = typeof cls['@_filename'] === 'string' ? cls['@_filename'] : undefined
      const entry = name === undefined ? undefined : (files.get(name) ?? { file: name, metrics: { lines: { covered: 0, total: 0 }, branches: { covered: 0, total: 0 } } })
      if (name !== undefined && entry) files.set(name, entry)
      for (const line of list((cls.lines as XmlNode | undefined)?.line)) {
        if (!entry) break
        entry.metrics.lines!.total++
        if (Number(line['@_hits'] ?? 0) > 0) entry.metrics.lines!.covered++
        const branches = /\((\d+)\/(\d+)\)/.exec(String(line['@_condition-coverage'] ?? ''))
        if (line['@_branch'] === 'true' && branches) {
          entry.metrics.branches!.covered += Number(branches[1])
          entry.metrics.branches!.total += Number(branches[2])
        }
      }
      for (const method of list((cls.methods as XmlNode | undefined)?.method)) {
        methods++
        const hits = Number(method['@_hits'] ?? 0)
        const lineHits = list((method.lines as XmlNode | undefined)?.line).some((l) => Number(l['@_hits'] ?? 0) > 0)
        if (hits > 0 || lineHits) hitMethods++
        if (entry) {
          const fns = (entry.metrics.functions ??= { covered: 0, total: 0 })
          fns.total++
          if (hits > 0 || lineHits) fns.covered++
        }
      }
    }
  }
  if (methods > 0) result.functions = percent(hitMethods, methods)
  if (result.lines === undefined) throw malformed(file, origin, 'the <coverage> element has neither line-rate nor lines-valid/lines-covered')
  return { totals: result, files: [...files.values()] }
}

function rate(root: XmlNode, what: 'lines' | 'branches'): number | undefined {
  const valid = Number(root[`@_${what}-valid`])
  const covered = Number(root[`@_${what}-covered`])
  if (Number.isFinite(valid) && Number.isFinite(covered) && root[`@_${what}-valid`] !== undefined) return percent(covered, valid)
  const r = Number(root[`@_${what === 'lines' ? 'line' : 'branch'}-rate`])
  return root[`@_${what === 'lines' ? 'line' : 'branch'}-rate`] !== undefined && Number.isFinite(r) ? round(r * 100) : undefined
}

function list(value: unknown): XmlNode[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).filter((v): v is XmlNode => typeof v === 'object' && v !== null)
}
