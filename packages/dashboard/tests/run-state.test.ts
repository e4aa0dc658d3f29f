import { describe, expect, it } from 'vitest'
import { layoutGraph } from '../ui/layout.js'
import { applyEvents, createRunState, FrameBatcher, MAX_LINES_PER_STAGE } from '../ui/run-state.js'
import type { StageView } from '../ui/types.js'

const run = { id: 'r1', pipeline: 'p', status: 'running', createdAt: 1 }
const stages: StageView[] = [
  { id: 'lint', needs: [], status: 'pending' },
  { id: 'test', needs: [], status: 'pending' },
  { id: 'deploy', needs: ['lint', 'test'], status: 'pending' },
]

describe('applyEvents', () => {
  it('replaces only the stages an event touched, so memoized nodes of the others do not re-render', () => {
    const s0 = createRunState(run, stages)
    const s1 = applyEvents(s0, [{ id: '1', event: 'stage:started', data: { stageId: 'lint', at: 10 } }])
    expect(s1.stages.get('lint')).toMatchObject({ status: 'running', startedAt: 10 })
    expect(s1.stages.get('test')).toBe(s0.stages.get('test'))
    expect(s1.stages.get('deploy')).toBe(s0.stages.get('deploy'))
    expect(s1.structure).toBe(s0.structure)
    expect(s1.lastEventId).toBe('1')
    expect(s0.stages.get('lint')!.status).toBe('pending') // the previous state is untouched
  })

  it('follows a stage through waiting, a gate verdict and its end; and the run to its end', () => {
    let s = createRunState(run, stages)
    s = applyEvents(s, [
      { event: 'stage:waiting', data: { stageId: 'deploy', kind: 'approval', reason: 'needs 1 approval', since: 5 } },
      { event: 'gate:evaluated', data: { stageId: 'deploy', gate: 'deploy/approval', verdict: 'pending', reason: 'waiting', evidence: { approvers: [] } } },
    ])
    expect(s.stages.get('deploy')).toMatchObject({ status: 'waiting', waiting: { kind: 'approval', reason: 'needs 1 approval' } })
    expect(s.stages.get('deploy')!.gates).toEqual([{ uses: 'deploy/approval', verdict: 'pending', reason: 'waiting', evidence: { approvers: [] } }])
    s = applyEvents(s, [
      { event: 'gate:evaluated', data: { stageId: 'deploy', gate: 'deploy/approval', verdict: 'pass', reason: 'approved by ann', evidence: { approvers: ['ann'] } } },
      { event: 'stage:wait-ended', data: { stageId: 'deploy', kind: 'approval', outcome: 'continued' } },
      { event: 'stage:finished', data: { stageId: 'deploy', status: 'succeeded', durationMs: 1200, at: 99 } },
      { event: 'run:finished', data: { status: 'succeeded', durationMs: 2000, at: 100 } },
    ])
    const deploy = s.stages.get('deploy')!
    expect(deploy).toMatchObject({ status: 'succeeded', durationMs: 1200 })
    expect(deploy.waiting).toBeUndefined()
    expect(deploy.gates).toEqual([{ uses: 'deploy/approval', verdict: 'pass', reason: 'approved by ann', evidence: { approvers: ['ann'] } }])
    expect(s.run).toMatchObject({ status: 'succeeded', durationMs: 2000 })
  })

  it('appends log lines per stage (single lines and batches), keeping the last MAX_LINES_PER_STAGE', () => {
    let s = createRunState(run, stages)
    s = applyEvents(s, [
      { event: 'stage:log', data: { stageId: 'lint', stream: 'stdout', line: '\u001b[31mred\u001b[0m' } },
      { event: 'stage:log', data: { seq: 4, stageId: 'test', stream: 'stderr', lines: ['a', 'b'], ts: 5 } },
    ])
    expect(s.logs.get('lint')!.lines.map((l) => l.text)).toEqual(['\u001b[31mred\u001b[0m'])
    expect(s.logs.get('test')!.lines.map((l) => [l.stream, l.text, l.seq])).toEqual([['stderr', 'a', 4], ['stderr', 'b', 4]])
    const before = s.logs.get('test')
    const many = Array.from({ length: MAX_LINES_PER_STAGE + 5 }, (_, i) => ({ event: 'stage:log', data: { stageId: 'lint', stream: 'stdout', line: `n${i}` } }))
    s = applyEvents(s, many)
    const lint = s.logs.get('lint')!
    expect(lint.lines).toHaveLength(MAX_LINES_PER_STAGE)
    expect(lint.dropped).toBe(6)
    expect(lint.lines[lint.lines.length - 1]!.text).toBe(`n${MAX_LINES_PER_STAGE + 4}`)
    expect(s.logs.get('test')).toBe(before)
  })

  it('adds a stage it did not know (e.g. a matrix instance) and bumps the structure', () => {
    const s0 = createRunState(run, stages)
    const s1 = applyEvents(s0, [{ event: 'stage:started', data: { stageId: 'test[node=22]', at: 1 } }])
    expect(s1.order).toEqual(['lint', 'test', 'deploy', 'test[node=22]'])
    expect(s1.structure).toBe(s0.structure + 1)
  })
})

describe('FrameBatcher', () => {
  it('hands over everything pushed before a frame in one flush', () => {
    const frames: Array<() => void> = []
    const flushed: number[][] = []
    const b = new FrameBatcher<number>((items) => flushed.push(items), (cb) => frames.push(cb))
    for (let i = 0; i < 200; i++) b.push(i)
    expect(frames).toHaveLength(1)
    frames.shift()!()
    b.push(200)
    frames.shift()!()
    expect(flushed.map((f) => f.length)).toEqual([200, 1])
  })
})

describe('layoutGraph', () => {
  it('places every stage of a 200-stage DAG left to right, needs before dependants, with an edge per need', () => {
    const dag = Array.from({ length: 200 }, (_, i) => ({ id: `s${i}`, needs: i < 10 ? [] : [`s${i % 10}`, `s${i - 10}`] }))
    const l = layoutGraph(dag)
    expect(l.nodes.size).toBe(200)
    for (const s of dag) for (const n of s.needs) expect(l.nodes.get(n)!.x).toBeLessThan(l.nodes.get(s.id)!.x)
    expect(l.edges).toHaveLength(dag.reduce((a, s) => a + new Set(s.needs).size, 0))
    expect(l.edges.every((e) => e.path.startsWith('M'))).toBe(true)
  })
})
