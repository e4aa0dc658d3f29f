import type { AssessConfig } from './config.js'
import { DEFAULT_SENSITIVE_PATHS } from './config.js'
import { globToRegExp } from './glob.js'

/** The facts an assessment is made from; gathered by `gatherInputs`, or given by a test. */
export interface RiskInputs {
  /** The diff since the environment's current commit (undefined: nothing deployed yet, or git could not tell). */
  change?: { base: string; head: string; files: Array<{ path: string; added: number; deleted: number }> }
  /** This run's test results against the last successful run's (totals and line coverage). */
  tests?: { now: { total: number; failed: number; coverage?: number }; before?: { total: number; failed: number; coverage?: number } }
  /** Tests seen flaky in this run or in recent runs, by id. */
  flakyTests: string[]
  /** Recent deployments of the environment: how many, and how many failed or were rolled back. */
  deployments: { total: number; failed: number }
  /** When the deploy would happen (epoch ms). */
  now: number
}

export interface RiskFactor {
  name: 'change-size' | 'sensitive-paths' | 'tests' | 'flaky-tests' | 'change-failure-rate' | 'time-of-day' | 'freeze'
  /** Points added to the score (0 when the factor found nothing). */
  contribution: number
  /** One sentence with the numbers behind it. */
  detail: string
  data: Record<string, unknown>
}

export interface RiskAssessment {
  score: number
  decision: 'pass' | 'approval' | 'block'
  factors: RiskFactor[]
}

const HOUR = 3_600_000

function changeSize(inputs: RiskInputs): RiskFactor {
  if (!inputs.change) return { name: 'change-size', contribution: 10, detail: 'no earlier deployment to compare with: the whole history is new to the environment', data: {} }
  const lines = inputs.change.files.reduce((n, f) => n + f.added + f.deleted, 0)
  const files = inputs.change.files.length
  // 1 point per 40 changed lines and per 5 files, at most 25.
  const contribution = Math.min(25, Math.floor(lines / 40) + Math.floor(files / 5))
  return { name: 'change-size', contribution, detail: `${lines} lines in ${files} files changed since ${inputs.change.base.slice(0, 12)}`, data: { lines, files, base: inputs.change.base, head: inputs.change.head } }
}

function sensitivePaths(inputs: RiskInputs, config: AssessConfig): RiskFactor {
  const groups = config['sensitive-paths'] ?? DEFAULT_SENSITIVE_PATHS
  const touched: Record<string, string[]> = {}
  for (const [group, globs] of Object.entries(groups)) {
    const patterns = globs.map(globToRegExp)
    const hits = (inputs.change?.files ?? []).map((f) => f.path).filter((p) => patterns.some((re) => re.test(p)))
    if (hits.length > 0) touched[group] = hits.slice(0, 20)
  }
  const names = Object.keys(touched)
  return { name: 'sensitive-paths', contribution: Math.min(30, 15 * names.length), detail: names.length ? `touches ${names.map((n) => `${n} (${touched[n]!.length} file${touched[n]!.length === 1 ? '' : 's'})`).join(', ')}` : 'no sensitive paths touched', data: { touched } }
}

function tests(inputs: RiskInputs): RiskFactor {
  const t = inputs.tests
  if (!t) return { name: 'tests', contribution: 10, detail: 'no test results in this run', data: {} }
  const removed = t.before ? Math.max(0, t.before.total - t.now.total) : 0
  const coverageDrop = t.before?.coverage !== undefined && t.now.coverage !== undefined ? Math.max(0, t.before.coverage - t.now.coverage) : 0
  // Failing tests weigh most; fewer tests and lost coverage say the change is less checked.
  const contribution = Math.min(25, 10 * Math.min(t.now.failed, 1) + Math.min(10, removed) + Math.min(15, Math.round(coverageDrop * 3)))
  const parts = [`${t.now.total} tests, ${t.now.failed} failing`, t.before ? `${removed} fewer than before` : 'no earlier results', coverageDrop > 0 ? `line coverage down ${coverageDrop.toFixed(1)} points` : undefined]
  return { name: 'tests', contribution, detail: parts.filter(Boolean).join('; '), data: { now: t.now, ...(t.before ? { before: t.before } : {}), removed, coverageDrop } }
}

function flaky(inputs: RiskInputs): RiskFactor {
  const n = inputs.flakyTests.length
  return { name: 'flaky-tests', contribution: Math.min(15, 5 * n), detail: n ? `${n} flaky test${n === 1 ? '' : 's'}: ${inputs.flakyTests.slice(0, 5).join(', ')}` : 'no flaky tests', data: { tests: inputs.flakyTests } }
}

function failureRate(inputs: RiskInputs): RiskFactor {
  const { total, failed } = inputs.deployments
  const rate = total === 0 ? 0 : failed / total
  return { name: 'change-failure-rate', contribution: Math.round(rate * 20), detail: total ? `${failed} of the last ${total} deployments failed or were rolled back (${Math.round(rate * 100)}%)` : 'no earlier deployments', data: { total, failed, rate } }
}

function timeOfDay(inputs: RiskInputs, config: AssessConfig): RiskFactor {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone: config['time-zone'], weekday: 'short', hour: 'numeric', hourCycle: 'h23' }).formatToParts(inputs.now).map((p) => [p.type, p.value]))
  const hourNow = Number(parts.hour)
  const day = String(parts.weekday)
  const [from, to] = config['working-hours']
  const weekend = (config['risky-days'] as string[]).includes(day)
  const late = hourNow < from || hourNow >= to
  const fridayAfternoon = config['friday-afternoon'] && day === 'Fri' && hourNow >= 15
  const risky = weekend || late || fridayAfternoon
  const why = weekend ? `on a ${day}` : late ? `outside working hours ${from}–${to}` : fridayAfternoon ? 'on a Friday afternoon' : 'within working hours'
  return { name: 'time-of-day', contribution: risky ? 10 : 0, detail: `${day} ${String(hourNow).padStart(2, '0')}h ${config['time-zone']}: ${why}`, data: { day, hour: hourNow, timeZone: config['time-zone'] } }
}

function freeze(inputs: RiskInputs, config: AssessConfig): RiskFactor {
  let contribution = 0
  let detail = 'no change freeze near'
  for (const f of config.freezes) {
    const start = Date.parse(f.start)
    const end = f.end === undefined ? Infinity : Date.parse(f.end)
    const hoursBefore = (start - inputs.now) / HOUR
    if (inputs.now >= start && inputs.now < end && contribution < 30) {
      contribution = 30
      detail = `inside the change freeze from ${f.start}`
    } else if (hoursBefore > 0 && hoursBefore < 24) {
      const points = Math.round(15 * (1 - hoursBefore / 24))
      if (points > contribution) {
        contribution = points
        detail = `${hoursBefore.toFixed(1)} h before the change freeze from ${f.start}`
      }
    }
  }
  return { name: 'freeze', contribution, detail, data: { freezes: config.freezes } }
}

/** Scores a change: the sum of the factors' contributions (at most 100), and what the thresholds make of it. */
export function scoreRisk(inputs: RiskInputs, config: AssessConfig): RiskAssessment {
  const factors = [changeSize(inputs), sensitivePaths(inputs, config), tests(inputs), flaky(inputs), failureRate(inputs), timeOfDay(inputs, config), freeze(inputs, config)]
  const score = Math.min(100, factors.reduce((n, f) => n + f.contribution, 0))
  const decision = score >= config['block-at'] ? 'block' : score >= config['approval-at'] ? 'approval' : 'pass'
  return { score, decision, factors }
}
