import { describe, expect, it } from 'vitest'
import type { Message } from '../message.js'
import { escapeMrkdwn, slackPayload } from './blocks.js'

const message = (overrides: Partial<Message> = {}): Message => ({
  id: 'd-1', createdAt: '2026-11-30T12:00:00.000Z', event: 'deploy:rolled-back', severity: 'error',
  title: 'Rolled back', text: 'p95 <0.3s & errors > 1%', pipeline: 'shop', fields: {},
  facts: [['Pipeline', 'shop'], ['Reason', 'a <b> & c']], url: 'https://pw/runs/1?a=1|2', ...overrides,
})

describe('slackPayload', () => {
  it('has a fallback text and header, section-with-fields and context blocks, escaped for mrkdwn', () => {
    const p = slackPayload(message()) as { text: string; blocks: Array<Record<string, any>> }
    expect(p.text).toBe(':rotating_light: Rolled back')
    expect(p.blocks.map((b) => b.type)).toEqual(['header', 'section', 'context'])
    expect(p.blocks[0]!.text).toEqual({ type: 'plain_text', text: ':rotating_light: Rolled back', emoji: true })
    expect(p.blocks[1]!.text.text).toBe('p95 &lt;0.3s &amp; errors &gt; 1%')
    expect(p.blocks[1]!.fields).toEqual([{ type: 'mrkdwn', text: '*Pipeline*\nshop' }, { type: 'mrkdwn', text: '*Reason*\na &lt;b&gt; &amp; c' }])
    expect(p.blocks[2]!.elements[0].text).toBe('*deploy:rolled-back*  ·  error  ·  delivery d-1  ·  <https://pw/runs/1?a=1%7C2|Open the run>')
  })

  it('keeps to Slack\'s limits: 150-character header, 10 fields, 2000 per field', () => {
    const facts = Array.from({ length: 14 }, (_, i): [string, string] => [`f${i}`, 'x'.repeat(3000)])
    const p = slackPayload(message({ title: 't'.repeat(400), facts })) as { blocks: Array<Record<string, any>> }
    expect(p.blocks[0]!.text.text).toHaveLength(150)
    expect(p.blocks[1]!.fields).toHaveLength(10)
    for (const f of p.blocks[1]!.fields) expect(f.text.length).toBeLessThanOrEqual(2000)
  })

  it('escapes only what mrkdwn needs', () => {
    expect(escapeMrkdwn('<@U123> & <!channel>')).toBe('&lt;@U123&gt; &amp; &lt;!channel&gt;')
  })
})
