import { describe, expect, it } from 'vitest'
import { escapeCell, renderErrorReference } from './error-reference-doc.js'
import { ERROR_CODES } from '@pipewright/plugin-api'

describe('renderErrorReference', () => {
  it('has one table row per registered code, with its exit code and HTTP status', () => {
    const rows = renderErrorReference().split('\n').filter((line) => line.startsWith('| `PW_ERR_'))
    expect(rows).toHaveLength(Object.keys(ERROR_CODES).length)
    for (const [code, e] of Object.entries(ERROR_CODES)) {
      const row = rows.find((r) => r.startsWith(`| \`${code}\` |`))
      expect(row, code).toBeDefined()
      expect(row).toContain(` | ${e.exit} | ${e.http} | `)
    }
  })

  it('lists plugin codes in a section per plugin, after the engine\'s', () => {
    const md = renderErrorReference({
      PW_ERR_USAGE: ERROR_CODES.PW_ERR_USAGE,
      PW_ERR_ZED_BROKEN: { title: 'Zed broke', exit: 1, http: 500, fix: 'Mend it.', plugin: 'zed' },
      PW_ERR_ALPHA_OFF: { title: 'Alpha off', exit: 1, http: 503, fix: 'Turn it on.', plugin: 'alpha' },
    })
    const at = (text: string) => md.indexOf(text)
    expect(at('## Engine')).toBeLessThan(at('`PW_ERR_USAGE`'))
    expect(at('`PW_ERR_USAGE`')).toBeLessThan(at('## Plugin `alpha`'))
    expect(at('## Plugin `alpha`')).toBeLessThan(at('`PW_ERR_ALPHA_OFF`'))
    expect(at('`PW_ERR_ALPHA_OFF`')).toBeLessThan(at('## Plugin `zed`'))
  })

  it('renders a code added to the registry', () => {
    const md = renderErrorReference({ PW_ERR_EXAMPLE: { title: 'Example', exit: 3, http: 418, fix: 'Do <this> | that, `a || b`.' } })
    expect(md).toContain('| `PW_ERR_EXAMPLE` | Example | 3 | 418 | Do &lt;this&gt; \\| that, `a \\|\\| b`. |')
  })
})

describe('escapeCell', () => {
  it('keeps code spans literal but escapes pipes everywhere', () => {
    expect(escapeCell('set PIPEWRIGHT_SECRET_<NAME> or `--resume <id>`')).toBe('set PIPEWRIGHT_SECRET_&lt;NAME&gt; or `--resume <id>`')
    expect(escapeCell('a | b')).toBe('a \\| b')
  })
})
