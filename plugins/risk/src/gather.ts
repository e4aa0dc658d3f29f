import type { GateContext, HistoryDeployment } from '@pipewright/plugin-api'
import type { AssessConfig } from './config.js'
import type { RiskInputs } from './score.js'

interface ResultsLike {
  total?: number
  failed?: number
  coverage?: { lines?: number }
  flakyTests?: Array<{ id: string }>
}

const RESULTS = 'test-runner.results'

/** `git diff --numstat` from `base` to `head` (argv, no shell); undefined when git cannot tell. */
async function diff(ctx: GateContext, base: string, head: string): Promise<RiskInputs['change']> {
  const cwd = ctx.git?.root ?? ctx.pipeline.dir
  const r = await ctx.exec(['git', 'diff', '--numstat', '--no-renames', base, head, '--'], { cwd, log: false })
  if (r.exitCode !== 0) {
    ctx.logger.warn(`risk: git diff ${base.slice(0, 12)} ${head.slice(0, 12)} failed: ${r.stderr.trim().split('\n')[0] ?? ''}`)
    return undefined
  }
  const files = r.stdout.split('\n').filter(Boolean).map((line) => {
    const [added, deleted, ...path] = line.split('\t')
    return { path: path.join('\t'), added: Number(added) || 0, deleted: Number(deleted) || 0 }
  })
  return { base, head, files }
}

function testFigures(r: ResultsLike): { total: number; failed: number; coverage?: number } {
  return { total: r.total ?? 0, failed: r.failed ?? 0, ...(typeof r.coverage?.lines === 'number' ? { coverage: r.coverage.lines } : {}) }
}

/** Collects what the score is made of, through the plugin contract only (git, records, history). */
export async function gatherInputs(ctx: GateContext, config: AssessConfig, now: number): Promise<RiskInputs & { current?: HistoryDeployment }> {
  const recent = (await ctx.history?.deployments({ environment: config.environment, limit: config['failure-window'] })) ?? []
  const current = recent.find((d) => d.outcome === 'succeeded' && !d.rolledBackBy)
  const head = ctx.git?.sha
  const change = current?.commit && head ? await diff(ctx, current.commit, head) : undefined
  const deploys = recent.filter((d) => d.kind === 'deploy')
  const failed = deploys.filter((d) => d.outcome !== 'succeeded' || d.rolledBackBy !== undefined).length

  const now_ = await ctx.records.get<ResultsLike>(RESULTS, { stageId: config.tests })
  const earlier = await ctx.records.history<ResultsLike>(RESULTS, { stageId: config.tests, runStatus: 'succeeded', limit: 10 })
  const flaky = new Set<string>([...(now_?.flakyTests ?? []), ...earlier.flatMap((r) => r.data.flakyTests ?? [])].map((t) => t.id))
  return {
    ...(change ? { change } : {}),
    ...(now_ ? { tests: { now: testFigures(now_), ...(earlier[0] ? { before: testFigures(earlier[0].data) } : {}) } } : {}),
    flakyTests: [...flaky].sort(),
    deployments: { total: deploys.length, failed },
    now,
    ...(current ? { current } : {}),
  }
}
