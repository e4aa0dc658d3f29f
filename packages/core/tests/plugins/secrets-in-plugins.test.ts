import { afterEach, describe, expect, it } from 'vitest'
import { definePlugin } from '@pipewright/plugin-api'
import { createEngine } from '../../src/engine/engine.js'
import { createMemoryStore } from '@pipewright/store-api'
import { runFile, tempProject, type TempProject } from '../engine/helpers.js'

declare module '@pipewright/plugin-api' {
  interface PipewrightEvents {
    'leaky:said': { runId: string; stageId: string; text: string; at: number }
  }
}

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** A careless plugin: it puts the secret in its own event and in a gate's evidence. */
const leaky = definePlugin({
  id: 'leaky',
  apiVersion: 1,
  register(api) {
    api.stage('say', {
      run(ctx) {
        ctx.emit('leaky:said', { runId: ctx.runId, stageId: ctx.stageId, text: `token is ${ctx.secrets.get('TOKEN')}`, at: Date.now() })
      },
    })
    api.gate('check', {
      evaluate(ctx) {
        return { verdict: 'pass', reason: 'fine', evidence: { header: `Bearer ${ctx.secrets.get('TOKEN')}` } }
      },
    })
  },
})

describe('secrets in what plugins emit', () => {
  it('are masked in plugin events and gate evidence, as they reach listeners and the store', async () => {
    project = await tempProject('name: leaky\nsecrets: [TOKEN]\nstages:\n  s: { uses: leaky/say, gates: [{ uses: leaky/check }] }\n')
    const store = createMemoryStore()
    const engine = createEngine({ plugins: [leaky], store })
    const seen: unknown[] = []
    engine.onAny((_name, payload) => seen.push(payload))
    const { stage } = await runFile(project.file, { secrets: { TOKEN: 'tok-5ecret-value' } }, {}, engine)
    expect(stage('s').status).toBe('succeeded')
    const events = await store.getEvents((await store.listRuns())[0]!.id)
    expect(events.find((e) => e.type === 'leaky:said')?.payload).toMatchObject({ text: 'token is ***' })
    expect(events.find((e) => e.type === 'gate:evaluated')?.payload).toMatchObject({ evidence: { header: 'Bearer ***' } })
    expect(JSON.stringify(seen)).not.toContain('tok-5ecret-value')
    expect(JSON.stringify(await store.getStages(events[0]!.runId))).not.toContain('tok-5ecret-value')
  })
})
