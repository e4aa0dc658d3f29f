import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { ERROR_REFERENCE_COMMAND, ERROR_REFERENCE_PATH, escapeCell, renderErrorReference } from './errors-doc.js'
import { ERROR_CODES } from './errors.js'

const docFile = fileURLToPath(new URL(`../../../${ERROR_REFERENCE_PATH}`, import.meta.url))

describe('docs/errors.md', () => {
  it('matches what the generator produces from the live ERROR_CODES registry', () => {
    const committed = readFileSync(docFile, 'utf8')
    // On failure: regenerate with the command below (a code was added or changed).
    expect(committed, `docs/errors.md is stale; run: ${ERROR_REFERENCE_COMMAND}`).toBe(renderErrorReference())
  })
})

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
