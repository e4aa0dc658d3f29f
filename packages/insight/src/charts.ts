import type { DoraMetrics } from './dora.js'
import type { StageTiming } from './review.js'

/**
 * SVG charts drawn on the server by Vega-Lite (compiled to Vega, rendered headless with
 * `view.toSVG()`): no browser, no canvas, no network. Loaded only when a report asks for charts.
 */
async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')])
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

const BASE = { width: 480, height: 140, config: { font: 'sans-serif', view: { stroke: null } } }

/** Deployments per week (failed ones stacked in red) and the median lead time per week. */
export async function doraCharts(m: DoraMetrics): Promise<{ deployments: string; leadTime: string }> {
  const bars = m.weeks.flatMap((w) => [
    { week: w.week, kind: 'succeeded', count: w.deployments - w.failures },
    { week: w.week, kind: 'failed', count: w.failures },
  ])
  const deployments = await renderSvg({
    ...BASE,
    title: `Deployments per week — ${m.pipeline} → ${m.environment}`,
    data: { values: bars },
    mark: 'bar',
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'week of', axis: { labelAngle: 0 } },
      y: { field: 'count', type: 'quantitative', title: 'deployments', stack: 'zero' },
      color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['succeeded', 'failed'], range: ['#4c78a8', '#e45756'] } },
    },
  })
  const leadTime = await renderSvg({
    ...BASE,
    title: 'Median lead time for changes per week (hours)',
    data: { values: m.weeks.filter((w) => w.leadTimeHours !== undefined) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'week of', axis: { labelAngle: 0 }, scale: { domain: m.weeks.map((w) => w.week) } },
      y: { field: 'leadTimeHours', type: 'quantitative', title: 'hours' },
    },
  })
  return { deployments, leadTime }
}

/** The median duration per week of the slowest stages. */
export async function stageTrendChart(stages: StageTiming[]): Promise<string> {
  const values = stages.flatMap((s) => s.weekly.filter((w) => w.medianMs !== undefined).map((w) => ({ stage: s.stageId, week: w.week, minutes: Math.round((w.medianMs! / 60_000) * 100) / 100 })))
  return renderSvg({
    ...BASE,
    title: 'Median stage duration per week (minutes)',
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'week', type: 'ordinal', title: 'week of', axis: { labelAngle: 0 } },
      y: { field: 'minutes', type: 'quantitative', title: 'minutes' },
      color: { field: 'stage', type: 'nominal' },
    },
  })
}
