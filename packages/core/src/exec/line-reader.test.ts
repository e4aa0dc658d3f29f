import { describe, expect, it } from 'vitest'
import { CONTINUATION_MARK, LineReader, softSplitPoint } from './line-reader.js'

function read(chunks: Array<string | Buffer>, max?: number): string[] {
  const lines: string[] = []
  const reader = new LineReader((line) => lines.push(line), softSplitPoint, max)
  for (const c of chunks) reader.push(typeof c === 'string' ? Buffer.from(c) : c)
  reader.end()
  return lines
}

describe('LineReader', () => {
  it('ends lines at \\n and \\r\\n, also when \\r and \\n arrive in different chunks', () => {
    expect(read(['a\r\nb', 'c\nd\r', '\ne'])).toEqual(['a', 'bc', 'd', 'e'])
  })

  it('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('price: 5€ and 😀 done\n')
    const cut = bytes.indexOf(Buffer.from('€')) + 1
    const emoji = bytes.indexOf(Buffer.from('😀')) + 2
    expect(read([bytes.subarray(0, cut), bytes.subarray(cut, emoji), bytes.subarray(emoji)])).toEqual(['price: 5€ and 😀 done'])
  })

  it('keeps only the last state of a line redrawn with \\r (progress bars), and a last line without newline', () => {
    expect(read(['10%\r50%', '\r100%\ndone\r\r\nnext\rlast'])).toEqual(['100%', 'done', 'last'])
    expect(read(['100%\r'])).toEqual(['100%'])
  })

  it('passes a long line on in marked pieces, preferring to cut after a blank', () => {
    const lines = read(['aaaa bbbb', 'cccccccccc', 'dd\nshort\n'], 8)
    expect(lines).toEqual([`aaaa ${CONTINUATION_MARK}`, `${CONTINUATION_MARK}bbbbcccc${CONTINUATION_MARK}`, `${CONTINUATION_MARK}ccccccdd`, 'short'])
    expect(lines.join('').replaceAll(CONTINUATION_MARK, '')).toBe('aaaa bbbbccccccccccddshort')
  })

  it('reads a 32 MB line in 64 KiB chunks, holding at most one piece at a time', () => {
    const chunk = Buffer.alloc(64 * 1024, 'x')
    const pieces: number[] = []
    const reader = new LineReader((line) => pieces.push(line.length))
    for (let i = 0; i < 512; i++) reader.push(chunk)
    reader.end()
    expect(pieces.length).toBe(512)
    expect(Math.max(...pieces)).toBeLessThanOrEqual(64 * 1024 + 2)
    expect(pieces.reduce((a, b) => a + b, 0) - 2 * 511).toBe(32 * 1024 * 1024)
  })
})
