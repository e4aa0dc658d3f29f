import { createFakeClock, createStageContext } from '@pipewright/testing'
import { describe, expect, it } from 'vitest'
import { composeMessage, renderText } from './message.js'

const SECRET = 'sk-live-9d8c7b6a5f4e'

describe('composeMessage', () => {
  const ctx = createStageContext({ pipelineName: 'hello-service', runId: 'run-7', secrets: { API_KEY: SECRET }, clock: createFakeClock({ start: Date.UTC(2026, 10, 30, 12) }) })

  it('lays out what happened, where, the stage and the reason, and keeps the notification id', () => {
    const m = composeMessage(ctx, {
      id: 'n-1', event: 'run:failed', title: 'Run failed', text: 'Stage test failed.', severity: 'error',
      stageId: 'test', environment: 'staging', reason: 'exit code 1', url: 'https://pw.example.com/runs/run-7', fields: { tests: '3 failed' },
    })
    expect(m).toMatchObject({ id: 'n-1', createdAt: '2026-11-30T12:00:00.000Z', pipeline: 'hello-service', runId: 'run-7' })
    expect(m.facts).toEqual([['Pipeline', 'hello-service'], ['Environment', 'staging'], ['Stage', 'test'], ['Reason', 'exit code 1'], ['Run', 'run-7'], ['tests', '3 failed']])
    expect(renderText(m)).toBe([
      'Run failed', '', 'Stage test failed.', '',
      'Pipeline: hello-service', 'Environment: staging', 'Stage: test', 'Reason: exit code 1', 'Run: run-7', 'tests: 3 failed',
      '', 'Link: https://pw.example.com/runs/run-7',
    ].join('\n'))
  })

  it('makes a new id when the notification has none, and leaves out what is unknown', () => {
    const m = composeMessage(ctx, { event: 'run:finished', title: 'Run succeeded', text: '', severity: 'info' })
    expect(m.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(m.facts).toEqual([['Pipeline', 'hello-service'], ['Run', 'run-7']])
    expect(renderText(m)).toBe('Run succeeded\n\nPipeline: hello-service\nRun: run-7')
  })

  it('redacts every text, also base64 and URL-encoded forms of a secret', () => {
    const m = composeMessage(ctx, {
      event: 'run:failed', severity: 'error',
      title: `token ${SECRET}`, text: `b64 ${Buffer.from(SECRET).toString('base64')}`, reason: `url ${encodeURIComponent(SECRET + '/x')}`,
      stageId: SECRET, environment: SECRET, url: `https://h/?t=${SECRET}`, fields: { [SECRET]: SECRET },
    })
    const all = JSON.stringify(m)
    expect(all).not.toContain(SECRET)
    expect(all).not.toContain(Buffer.from(SECRET).toString('base64'))
    expect(m.title).toMatch(/^token \S+$/)
  })
})
