import { describe, expect, it } from 'vitest'
import type { Message } from '../message.js'
import { renderEmail } from './render.js'

const message: Message = {
  id: 'd-9', createdAt: '2026-11-30T12:00:00.000Z', event: 'approval:requested', severity: 'warning',
  title: 'Approval needed: deploy <prod>', text: 'Line one\nline "two"', pipeline: 'shop', environment: 'production', fields: {},
  facts: [['Pipeline', 'shop'], ['Environment', 'production']], url: 'https://pw/runs/9?x=1&y=2',
}

describe('renderEmail', () => {
  it('puts the prefix, the title and where into the subject', () => {
    expect(renderEmail(message, '[pipewright]').subject).toBe('[pipewright] Approval needed: deploy <prod> (shop / production)')
    expect(renderEmail({ ...message, title: 'a\r\nBcc: x@evil' }, '').subject).toBe('a Bcc: x@evil (shop / production)')
  })

  it('escapes every text in the HTML body and links the run', () => {
    const { html, text } = renderEmail(message, '')
    expect(html).toContain('<h2 style="margin:0 0 12px">Approval needed: deploy &lt;prod&gt;</h2>')
    expect(html).toContain('Line one\nline &quot;two&quot;')
    expect(html).toContain('<a href="https://pw/runs/9?x=1&amp;y=2">Open the run</a>')
    expect(html).not.toContain('<prod>')
    expect(text).toContain('Link: https://pw/runs/9?x=1&y=2')
  })
})
