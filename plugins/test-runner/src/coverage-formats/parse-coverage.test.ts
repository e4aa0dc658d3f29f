import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readCoverage } from './parse-coverage.js'

const dir = fileURLToPath(new URL('../../tests/fixtures/reports/coverage-reports/', import.meta.url))
const origin = { producedBy: 'the command "test"' }
const read = (file: string, format?: 'istanbul' | 'lcov' | 'cobertura') => readCoverage(file, 'cov', origin, format)

describe('readCoverage', () => {
  it('reads istanbul coverage-summary.json', async () => {
    expect(await read(join(dir, 'coverage-summary.json'))).toEqual({
      lines: 85,
      branches: 68.75,
      functions: 90,
      statements: 84.09,
      source: { format: 'istanbul', file: 'cov' },
    })
  })

  it('sums lcov counters over every file', async () => {
    // lines 3 of 8, branches 1 of 2, functions 2 of 3; lcov has no statements.
    expect(await read(join(dir, 'lcov.info'))).toEqual({ lines: 37.5, branches: 50, functions: 66.67, source: { format: 'lcov', file: 'cov' } })
  })

  it('reads Cobertura rates and counts hit methods as covered functions', async () => {
    expect(await read(join(dir, 'cobertura-coverage.xml'))).toEqual({ lines: 75, branches: 25, functions: 50, source: { format: 'cobertura', file: 'cov' } })
  })

  it('detects the format from the content when the name does not tell', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pw-cov-'))
    writeFileSync(join(tmp, 'report'), 'TN:\nSF:a.js\nLF:2\nLH:1\nend_of_record\n')
    expect((await read(join(tmp, 'report'))).lines).toBe(50)
  })

  it('fails with PW_ERR_INPUT_FILE on missing, empty and malformed files', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pw-cov-'))
    await expect(read(join(tmp, 'nope.json'))).rejects.toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: expect.stringMatching(/Coverage file cov does not exist: it should have been written by the command "test"/) })
    writeFileSync(join(tmp, 'empty.json'), '')
    await expect(read(join(tmp, 'empty.json'))).rejects.toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: expect.stringMatching(/is malformed: the file is empty/) })
    writeFileSync(join(tmp, 'bad.json'), '{"total": ')
    await expect(read(join(tmp, 'bad.json'))).rejects.toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: expect.stringMatching(/not JSON/) })
    writeFileSync(join(tmp, 'other.json'), '{"lines": 3}')
    await expect(read(join(tmp, 'other.json'))).rejects.toThrow(/no "total" entry/)
    writeFileSync(join(tmp, 'x.info'), 'hello\n')
    await expect(read(join(tmp, 'x.info'))).rejects.toThrow(/no end_of_record line/)
  })
})
