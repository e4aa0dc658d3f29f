import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readCoverage } from './parse-coverage.js'
import type { CoverageScope } from './scope.js'

const dir = fileURLToPath(new URL('../../tests/fixtures/reports/coverage-reports/', import.meta.url))
const origin = { producedBy: 'the command "test"' }
const read = (file: string, format?: 'istanbul' | 'lcov' | 'cobertura', scope?: CoverageScope) =>
  readCoverage(file, 'cov', origin, format, { workspace: '/home/ci/app', ...(scope ? { scope } : {}) })
const allFiles = (counted: string[]) => ({ counted, excluded: [], exclude: [] })

describe('readCoverage', () => {
  it('reads istanbul coverage-summary.json', async () => {
    expect(await read(join(dir, 'coverage-summary.json'))).toEqual({
      lines: 85,
      branches: 68.75,
      functions: 90,
      statements: 84.09,
      source: { format: 'istanbul', file: 'cov' },
      files: allFiles(['src/cart.js']),
    })
  })

  it('sums lcov counters over every file', async () => {
    // lines 3 of 8, branches 1 of 2, functions 2 of 3 (truncated like istanbul: 66.66); lcov has no statements.
    expect(await read(join(dir, 'lcov.info'))).toEqual({ lines: 37.5, branches: 50, functions: 66.66, source: { format: 'lcov', file: 'cov' }, files: allFiles(['src/cart.js', 'src/price.js']) })
  })

  it('reads Cobertura rates and counts hit methods as covered functions', async () => {
    expect(await read(join(dir, 'cobertura-coverage.xml'))).toEqual({ lines: 75, branches: 25, functions: 50, source: { format: 'cobertura', file: 'cov' }, files: allFiles(['src/cart.js']) })
  })

  it('counts only the files in scope, and lists which files it counted and left out', async () => {
    // src/cart.js alone: lines 3 of 4, branches 1 of 2, functions 2 of 2.
    expect(await read(join(dir, 'lcov.info'), undefined, { exclude: ['src/price.js'] })).toEqual({
      lines: 75,
      branches: 50,
      functions: 100,
      source: { format: 'lcov', file: 'cov' },
      files: { counted: ['src/cart.js'], excluded: ['src/price.js'], exclude: ['src/price.js'] },
    })
    const only = await read(join(dir, 'lcov.info'), undefined, { include: ['src/price*'], exclude: [] })
    expect(only).toMatchObject({ lines: 0, functions: 0, files: { counted: ['src/price.js'], excluded: ['src/cart.js'], include: ['src/price*'] } })
    await expect(read(join(dir, 'lcov.info'), undefined, { include: ['lib/**'], exclude: [] })).rejects.toThrow(/none of its 2 files is in scope \(include lib\/\*\*; exclude \*\*\/node_modules\/\*\*\)/)
  })

  it('keeps node_modules out even without an exclude', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'pw-cov-'))
    writeFileSync(join(tmp, 'lcov.info'), 'SF:src/a.js\nLF:2\nLH:2\nend_of_record\nSF:node_modules/dep/x.js\nLF:2\nLH:0\nend_of_record\n')
    expect(await read(join(tmp, 'lcov.info'))).toMatchObject({ lines: 100, files: { counted: ['src/a.js'], excluded: ['node_modules/dep/x.js'] } })
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
