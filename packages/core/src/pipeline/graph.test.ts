import { describe, expect, it } from 'vitest'
import { renderGraph } from './graph.js'
import { planPipeline } from './plan.js'
import { pipelineSchema } from './schema.js'

const plan = planPipeline(pipelineSchema.parse({ name: 'my "app"', stages: { build: { run: 'b' }, test: { needs: 'build', run: 't', matrix: { node: [18, 20] } } } }))

describe('renderGraph', () => {
  it('renders Mermaid with safe node ids and quoted labels', () => {
    expect(renderGraph(plan, 'mermaid')).toMatchInlineSnapshot(`
      "flowchart LR
        s0["build"]
        s1["test[node=18]"]
        s2["test[node=20]"]
        s0 --> s1
        s0 --> s2
      "
    `)
  })

  it('renders Graphviz DOT with escaped names', () => {
    expect(renderGraph(plan, 'dot')).toMatchInlineSnapshot(`
      "digraph "my \\"app\\"" {
        rankdir=LR;
        node [shape=box];
        "build";
        "test[node=18]";
        "test[node=20]";
        "build" -> "test[node=18]";
        "build" -> "test[node=20]";
      }
      "
    `)
  })
})
