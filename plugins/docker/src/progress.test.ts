import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLineSplitter, readProgress } from './progress.js'

describe('readProgress', () => {
  it('parses messages split across chunks and stops at an error', async () => {
    const stream = Readable.from(['{"stream":"Step 1/2 : FROM x\\n"}\n{"aux":{"I', 'D":"sha256:ab"}}\n\n', '{"error":"boom","errorDetail":{"message":"boom detail"}}\n{"stream":"after"}\n'])
    const seen: unknown[] = []
    const result = await readProgress(stream, (m) => seen.push(m))
    expect(seen).toEqual([{ stream: 'Step 1/2 : FROM x\n' }, { aux: { ID: 'sha256:ab' } }])
    expect(result).toEqual({ error: 'boom detail' })
  })

  it('keeps plain text lines as output', async () => {
    const seen: unknown[] = []
    expect(await readProgress(Readable.from(['not json\n']), (m) => seen.push(m))).toEqual({})
    expect(seen).toEqual([{ stream: 'not json\n' }])
  })
})

describe('createLineSplitter', () => {
  it('emits whole lines and the rest on flush', () => {
    const lines: string[] = []
    const splitter = createLineSplitter((l) => lines.push(l))
    splitter.push('a\r\nb')
    splitter.push('c\n\nd')
    expect(lines).toEqual(['a', 'bc', ''])
    splitter.flush()
    expect(lines).toEqual(['a', 'bc', '', 'd'])
  })
})
