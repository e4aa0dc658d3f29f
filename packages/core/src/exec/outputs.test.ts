import { describe, expect, it } from 'vitest'
import { parseOutputFile } from './outputs.js'

describe('parseOutputFile ($PIPEWRIGHT_OUTPUT)', () => {
  it('reads key=value lines and key<<DELIM blocks; the last write of a key wins', () => {
    const text = 'version=1.2.3\nempty=\nurl=http://x/?a=b\nnotes<<EOF\nline one\n\nline three\nEOF\nversion=1.2.4\r\n'
    expect(parseOutputFile(text)).toEqual({ outputs: { version: '1.2.4', empty: '', url: 'http://x/?a=b', notes: 'line one\n\nline three' }, problems: [] })
  })

  it('reports lines it cannot read and an unclosed block, keeping the rest', () => {
    const { outputs, problems } = parseOutputFile('ok=1\nnot a pair\n=novalue\nbody<<END\nunfinished')
    expect(outputs).toEqual({ ok: '1', body: 'unfinished' })
    expect(problems).toEqual(['line 2: expected key=value or key<<DELIMITER, got "not a pair"', 'line 3: expected key=value or key<<DELIMITER, got "=novalue"', 'output "body": missing closing delimiter END'])
  })
})
