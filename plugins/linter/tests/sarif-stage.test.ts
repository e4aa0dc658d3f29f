import { copyFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { sarifConfigSchema, type ProblemsRecord } from '../src/index.js'
import { runSarif } from '../src/sarif/stage.js'
import { parseConfig } from './helpers/config.js'
import { lintStage } from './helpers/context.js'
import { FIXTURES, makeScratchProject } from './helpers/paths.js'

const sarifDir = path.join(FIXTURES, 'sarif')
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

async function scratch(): Promise<string> {
  const s = await makeScratchProject(false)
  cleanups.push(s.cleanup)
  return s.dir
}

describe('linter/sarif', () => {
  it('maps results of the fixture SARIF 2.1.0 log (levels, rule defaults, message strings, base ids)', async () => {
    const ctx = lintStage({ workspace: sarifDir })
    await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'analyzer.sarif' }))
    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.problems).toEqual([
      { file: 'src/db/query.js', line: 12, column: 5, severity: 'error', message: 'Query built from user-controlled input.', rule: 'js/sql-injection' },
      { file: 'src/db/report.js', line: 40, column: 9, severity: 'error', message: 'Query built from user-controlled input.', rule: 'js/sql-injection' },
      { file: 'src/auth/hash util.js', line: 3, severity: 'warning', message: 'MD5 is not a secure hash.', rule: 'js/weak-hash' },
      { file: 'src/index.js', line: 1, column: 1, severity: 'note', message: "Import 'lodash' is never used.", rule: 'js/unused-import' },
    ])
    expect(ctx.outputs.all()).toEqual({ errors: '2', warnings: '1', notes: '1' })
    expect(ctx.captured.summary).toContain('sarif: 2 errors, 1 warning, 1 note in 4 files')
  })

  it('runs `command` first and makes absolute file:// uris relative to the workspace', async () => {
    const dir = await scratch()
    const uri = pathToFileURL(path.join(dir, 'lib', 'x.py')).href
    const log = { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [{ ruleId: 'R1', level: 'error', message: { text: 'bad' }, locations: [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 2, startColumn: 4 } } }] }] }] }
    const script = `require('node:fs').writeFileSync('out/report.sarif', ${JSON.stringify(JSON.stringify(log))}); process.exit(1)`
    const ctx = lintStage({ workspace: dir })
    await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'out/report.sarif', command: ['sh', '-c', `mkdir -p out && node -e "$0"`, script] }))
    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.problems).toEqual([{ file: 'lib/x.py', line: 2, column: 4, severity: 'error', message: 'bad', rule: 'R1' }])
  })

  it('fails after recording when `fail-on-exit` is set and the command exits non-zero', async () => {
    const dir = await scratch()
    await copyFile(path.join(sarifDir, 'analyzer.sarif'), path.join(dir, 'a.sarif'))
    const ctx = lintStage({ workspace: dir })
    const error = await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'a.sarif', command: 'exit 3', 'fail-on-exit': true })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect((error as Error).message).toContain('exited with code 3')
    expect(ctx.outputs.get('errors')).toBe('2')
  })

  it('names the missing file and the command that should have written it', async () => {
    const dir = await scratch()
    const ctx = lintStage({ workspace: dir, stageId: 'scan' })
    const error = await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'reports/scan.sarif', command: 'exit 2' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: 'linter/sarif in stage scan: SARIF file reports/scan.sarif does not exist' })
    expect((error as { details: string }).details).toContain('`exit 2` exited with code 2')
  })

  it('reports malformed JSON with the file name', async () => {
    const ctx = lintStage({ workspace: sarifDir })
    const error = await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'malformed.sarif' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_INPUT_FILE' })
    expect((error as Error).message).toMatch(/^linter\/sarif in stage lint: SARIF file malformed\.sarif is not valid JSON: /)
  })

  it('reports JSON that is not SARIF 2.1.0 with the offending field', async () => {
    const ctx = lintStage({ workspace: sarifDir })
    const error = await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'not-sarif.json' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_INPUT_FILE' })
    expect((error as Error).message).toContain('SARIF file not-sarif.json is not a SARIF 2.1.0 log: version:')
  })

  it('masks secret values quoted in results before storing them', async () => {
    const dir = await scratch()
    const log = { version: '2.1.0', runs: [{ tool: { driver: { name: 't' } }, results: [{ ruleId: 'hardcoded-token', level: 'error', message: { text: 'Token "s3cr3t-value" is hard-coded' } }] }] }
    await writeFile(path.join(dir, 'r.sarif'), JSON.stringify(log))
    const ctx = lintStage({ workspace: dir, secrets: { API_TOKEN: 's3cr3t-value' } })
    await runSarif(ctx, parseConfig(sarifConfigSchema, { file: 'r.sarif' }))
    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.problems[0]?.message).toBe('Token "***" is hard-coded')
    expect(record?.problems[0]?.file).toBeUndefined()
    expect(ctx.captured.summary).not.toContain('s3cr3t-value')
  })
})
