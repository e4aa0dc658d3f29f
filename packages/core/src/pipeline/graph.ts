import type { Plan } from './plan.js'

const mermaidLabel = (text: string) => `"${text.replace(/"/g, '#quot;')}"`
const dotString = (text: string) => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`

function mermaid(plan: Plan): string {
  // Instance ids contain [ ] = , which Mermaid ids cannot; nodes get short ids and a quoted label.
  const node = new Map(plan.stages.map((stage, index) => [stage.id, `s${index}`]))
  const lines = ['flowchart LR']
  for (const stage of plan.stages) lines.push(`  ${node.get(stage.id)}[${mermaidLabel(stage.id)}]`)
  for (const stage of plan.stages) for (const need of stage.needs) lines.push(`  ${node.get(need)} --> ${node.get(stage.id)}`)
  return `${lines.join('\n')}\n`
}

function dot(plan: Plan): string {
  const lines = [`digraph ${dotString(plan.pipeline)} {`, '  rankdir=LR;', '  node [shape=box];']
  for (const stage of plan.stages) lines.push(`  ${dotString(stage.id)};`)
  for (const stage of plan.stages) for (const need of stage.needs) lines.push(`  ${dotString(need)} -> ${dotString(stage.id)};`)
  lines.push('}')
  return `${lines.join('\n')}\n`
}

/** The plan's DAG as Mermaid (`flowchart LR`) or Graphviz DOT text. */
export function renderGraph(plan: Plan, format: 'mermaid' | 'dot'): string {
  return format === 'mermaid' ? mermaid(plan) : dot(plan)
}
