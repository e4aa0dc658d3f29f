export const NODE_WIDTH = 200
export const NODE_HEIGHT = 38
const COLUMN_GAP = 56
const ROW_GAP = 12
const MARGIN = 16
const SWEEPS = 4

export interface LaidOutNode {
  id: string
  x: number
  y: number
  column: number
}

export interface LaidOutEdge {
  from: string
  to: string
  /** An SVG path: a horizontal S-curve from the need's right edge to the stage's left edge. */
  path: string
}

export interface GraphLayout {
  nodes: Map<string, LaidOutNode>
  edges: LaidOutEdge[]
  width: number
  height: number
}

/**
 * Lays the DAG out in columns, left to right, as GitHub Actions draws a workflow: a stage's
 * column is its longest chain of needs; within a column, stages are ordered by the mean row of
 * their neighbours (a few barycenter sweeps, forward and back) to keep edges short and
 * uncrossed. Linear in stages + needs per sweep: a 200-stage run lays out in about a millisecond
 * (dagre took 0.8–6 s for the same graph here, see docs/architecture.md). Only the structure is
 * an input, so status changes never move anything.
 */
export function layoutGraph(stages: Array<{ id: string; needs: string[] }>): GraphLayout {
  const ids = new Set(stages.map((s) => s.id))
  const needs = new Map<string, string[]>()
  const dependants = new Map<string, string[]>()
  for (const s of stages) {
    const own = [...new Set(s.needs)].filter((n) => ids.has(n) && n !== s.id)
    needs.set(s.id, own)
    for (const n of own) (dependants.get(n) ?? dependants.set(n, []).get(n)!).push(s.id)
  }
  const column = columnsOf(stages.map((s) => s.id), needs)
  const columns: string[][] = []
  for (const s of stages) (columns[column.get(s.id)!] ??= []).push(s.id)
  const row = new Map<string, number>()
  const renumber = (col: string[]) => col.forEach((id, i) => row.set(id, i))
  columns.forEach(renumber)
  const byMean = (col: string[], neighbours: Map<string, string[]>) => {
    const key = new Map(col.map((id) => {
      const ns = neighbours.get(id) ?? []
      return [id, ns.length ? ns.reduce((a, n) => a + row.get(n)!, 0) / ns.length : row.get(id)!] as const
    }))
    col.sort((a, b) => key.get(a)! - key.get(b)! || row.get(a)! - row.get(b)!)
    renumber(col)
  }
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    for (let c = 1; c < columns.length; c++) byMean(columns[c]!, needs)
    for (let c = columns.length - 2; c >= 0; c--) byMean(columns[c]!, dependants)
  }
  const nodes = new Map<string, LaidOutNode>()
  columns.forEach((col, c) =>
    col.forEach((id, r) => nodes.set(id, { id, column: c, x: MARGIN + c * (NODE_WIDTH + COLUMN_GAP), y: MARGIN + r * (NODE_HEIGHT + ROW_GAP) })),
  )
  const edges: LaidOutEdge[] = []
  for (const s of stages)
    for (const n of needs.get(s.id)!) {
      const a = nodes.get(n)!
      const b = nodes.get(s.id)!
      const x1 = a.x + NODE_WIDTH
      const y1 = a.y + NODE_HEIGHT / 2
      const x2 = b.x
      const y2 = b.y + NODE_HEIGHT / 2
      const mid = (x1 + x2) / 2
      edges.push({ from: n, to: s.id, path: `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}` })
    }
  const tallest = Math.max(0, ...columns.map((c) => c.length))
  return {
    nodes,
    edges,
    width: MARGIN * 2 + columns.length * NODE_WIDTH + Math.max(0, columns.length - 1) * COLUMN_GAP,
    height: MARGIN * 2 + tallest * NODE_HEIGHT + Math.max(0, tallest - 1) * ROW_GAP,
  }
}

/** Longest chain of needs per stage (Kahn's order); a stage caught in a cycle goes after its placed needs. */
function columnsOf(ids: string[], needs: Map<string, string[]>): Map<string, number> {
  const column = new Map<string, number>()
  const indegree = new Map(ids.map((id) => [id, needs.get(id)!.length]))
  const dependants = new Map<string, string[]>()
  for (const id of ids) for (const n of needs.get(id)!) (dependants.get(n) ?? dependants.set(n, []).get(n)!).push(id)
  const queue = ids.filter((id) => indegree.get(id) === 0)
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!
    column.set(id, Math.max(0, ...needs.get(id)!.map((n) => column.get(n)! + 1)))
    for (const d of dependants.get(id) ?? []) {
      indegree.set(d, indegree.get(d)! - 1)
      if (indegree.get(d) === 0) queue.push(d)
    }
  }
  for (const id of ids) if (!column.has(id)) column.set(id, Math.max(0, ...needs.get(id)!.map((n) => (column.get(n) ?? -1) + 1)))
  return column
}
