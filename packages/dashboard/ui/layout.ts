import dagre from '@dagrejs/dagre'

export const NODE_WIDTH = 200
export const NODE_HEIGHT = 38

export interface LaidOutNode {
  id: string
  x: number
  y: number
}

export interface LaidOutEdge {
  from: string
  to: string
  /** An SVG path through dagre's bend points. */
  path: string
}

export interface GraphLayout {
  nodes: Map<string, LaidOutNode>
  edges: LaidOutEdge[]
  width: number
  height: number
}

/**
 * Lays the DAG out left to right (needs on the left), as GitHub Actions draws a workflow. Only
 * the structure is an input, so status changes never move anything and never re-run the layout.
 */
export function layoutGraph(stages: Array<{ id: string; needs: string[] }>): GraphLayout {
  const g = new dagre.graphlib.Graph()
  g.setGraph({ rankdir: 'LR', nodesep: 12, ranksep: 56, marginx: 16, marginy: 16 })
  g.setDefaultEdgeLabel(() => ({}))
  const ids = new Set(stages.map((s) => s.id))
  for (const s of stages) g.setNode(s.id, { width: NODE_WIDTH, height: NODE_HEIGHT })
  for (const s of stages) for (const need of s.needs) if (ids.has(need) && need !== s.id) g.setEdge(need, s.id)
  dagre.layout(g)
  const nodes = new Map<string, LaidOutNode>()
  for (const id of g.nodes()) {
    const n = g.node(id)
    nodes.set(id, { id, x: n.x - NODE_WIDTH / 2, y: n.y - NODE_HEIGHT / 2 })
  }
  const edges: LaidOutEdge[] = g.edges().map((e: { v: string; w: string }) => {
    const pts: Array<{ x: number; y: number }> = g.edge(e).points ?? []
    const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${Math.round(p.x)},${Math.round(p.y)}`).join(' ')
    return { from: e.v, to: e.w, path }
  })
  const graph = g.graph()
  return { nodes, edges, width: Math.ceil(graph.width ?? 0), height: Math.ceil(graph.height ?? 0) }
}
