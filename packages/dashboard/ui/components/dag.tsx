import { memo } from 'preact/compat'
import { useLayoutEffect, useMemo } from 'preact/hooks'
import { formatDuration, STATUS_ICON } from '../format.js'
import { layoutGraph, NODE_HEIGHT, NODE_WIDTH, type GraphLayout } from '../layout.js'
import type { StageView } from '../types.js'

interface DagProps {
  order: string[]
  stages: Map<string, StageView>
  structure: number
  selected?: string
  onSelect: (id: string) => void
}

/** The run's DAG as SVG; laid out once per structure, each node re-rendered only when its stage changes. */
export function Dag({ order, stages, structure, selected, onSelect }: DagProps) {
  const layout: GraphLayout = useMemo(
    () => layoutGraph(order.map((id) => ({ id, needs: stages.get(id)?.needs ?? [] }))),
    // The layout depends on the structure only: status updates keep it.
    [structure, order.length],
  )
  // Marks for the benchmark (bench/render-200.mjs): when the graph and each update reach the DOM.
  useLayoutEffect(() => {
    performance.mark('pw:graph-drawn')
  })
  return (
    <div class="dag-scroll">
      <svg class="dag" width={layout.width} height={layout.height} role="img" aria-label="stage graph">
        <g class="edges">
          {layout.edges.map((e) => (
            <path key={`${e.from}->${e.to}`} d={e.path} class={`edge edge-${stages.get(e.from)?.status ?? 'pending'}`} />
          ))}
        </g>
        {order.map((id) => {
          const pos = layout.nodes.get(id)
          const stage = stages.get(id)
          if (!pos || !stage) return null
          return <DagNode key={id} stage={stage} x={pos.x} y={pos.y} selected={selected === id} onSelect={onSelect} />
        })}
      </svg>
    </div>
  )
}

interface NodeProps {
  stage: StageView
  x: number
  y: number
  selected: boolean
  onSelect: (id: string) => void
}

const DagNode = memo(
  function DagNode({ stage, x, y, selected, onSelect }: NodeProps) {
    const label = stage.id.length > 24 ? `${stage.id.slice(0, 23)}…` : stage.id
    const detail = stage.status === 'waiting' ? (stage.waiting?.kind ?? 'waiting') : stage.durationMs !== undefined ? formatDuration(stage.durationMs) : stage.status
    return (
      <g
        class={`node node-${stage.status}${selected ? ' selected' : ''}`}
        transform={`translate(${x},${y})`}
        data-stage={stage.id}
        data-status={stage.status}
        onClick={() => onSelect(stage.id)}
        tabIndex={0}
        role="button"
        aria-label={`${stage.id}: ${stage.status}`}
        onKeyDown={(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') onSelect(stage.id)
        }}
      >
        <title>{`${stage.id} — ${stage.status}`}</title>
        <rect width={NODE_WIDTH} height={NODE_HEIGHT} rx={6} />
        <text class="node-icon" x={14} y={NODE_HEIGHT / 2 + 5}>
          {STATUS_ICON[stage.status] ?? '•'}
        </text>
        <text class="node-label" x={30} y={16}>
          {label}
        </text>
        <text class="node-detail" x={30} y={30}>
          {detail}
        </text>
      </g>
    )
  },
  (a, b) => a.stage === b.stage && a.x === b.x && a.y === b.y && a.selected === b.selected,
)
