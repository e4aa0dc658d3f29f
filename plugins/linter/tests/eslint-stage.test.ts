import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isPipewrightError } from '@pipewright/plugin-api'
import { afterEach, describe, expect, it } from 'vitest'
import { eslintConfigSchema, type ProblemsRecord } from '../src/index.js'
import { runEslint } from '../src/eslint/stage.js'
import { parseConfig } from './helpers/config.js'
import { createRecordBook } from '@pipewright/testing'
import { lintStage } from './helpers/context.js'
import { FIXTURES, makeScratchProject } from './helpers/paths.js'

const project = path.join(FIXTURES, 'eslint-project')
const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()))
})

describe('linter/eslint (real eslint 9 on tests/fixtures/eslint-project)', () => {
  it("uses the fixture's own flat config and reports exact problems relative to the workspace", async () => {
    const records = createRecordBook()
    const ctx = lintStage({ workspace: project, records })
    await runEslint(ctx, parseConfig(eslintConfigSchema, { paths: 'src' }))

    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.tool).toBe('eslint')
    expect(record?.problems).toEqual([
      { file: 'src/greet.js', line: 3, column: 9, severity: 'error', message: "'greeting' is assigned a value but never used.", rule: 'no-unused-vars' },
      { file: 'src/greet.js', line: 7, column: 10, severity: 'error', message: "'missingHelper' is not defined.", rule: 'no-undef' },
      { file: 'src/greet.js', line: 4, column: 12, severity: 'warning', message: "Expected '===' and instead saw '=='.", rule: 'eqeqeq' },
    ])
    expect([record?.errors, record?.warnings, record?.notes]).toEqual([2, 1, 0])
    expect(ctx.outputs.all()).toEqual({ errors: '2', warnings: '1', notes: '0' })
    expect(ctx.captured.summary).toContain('eslint: 2 errors, 1 warning in 1 file')
    expect(ctx.captured.summary).toContain('src/greet.js:7:10 error')
  })

  it('lints `.` by default and succeeds when eslint finds nothing', async () => {
    const ctx = lintStage({ workspace: project })
    await runEslint(ctx, parseConfig(eslintConfigSchema, { paths: ['src/clean.js'] }))
    expect(ctx.outputs.all()).toEqual({ errors: '0', warnings: '0', notes: '0' })
    const whole = lintStage({ workspace: project })
    await runEslint(whole, parseConfig(eslintConfigSchema, {}))
    // The default `.` also lints the config files themselves, which are clean.
    expect(whole.outputs.get('errors')).toBe('2')
  })

  it('fails with eslint\'s own message when eslint exits 2 (config error)', async () => {
    const ctx = lintStage({ workspace: project, stageId: 'lint-js' })
    const error = await runEslint(ctx, parseConfig(eslintConfigSchema, { config: 'broken.eslint.config.js', paths: 'src' })).catch((e: unknown) => e)
    expect(isPipewrightError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect((error as Error).message).toContain('linter/eslint in stage lint-js: eslint exited with code 2')
    expect((error as Error).message).toContain('no-such-rule')
    expect((error as Error).message).not.toContain('Oops')
    expect(await ctx.records.get('linter.problems')).toBeUndefined()
  })

  it('fails naming the pattern when no files match', async () => {
    const ctx = lintStage({ workspace: project })
    const error = await runEslint(ctx, parseConfig(eslintConfigSchema, { paths: 'does-not-exist' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect((error as Error).message).toContain('No files matching the pattern "does-not-exist"')
  })

  it('applies fixes with `fix: true` and reports what remains', async () => {
    const scratch = await makeScratchProject()
    cleanups.push(scratch.cleanup)
    await writeFile(path.join(scratch.dir, 'eslint.config.js'), "export default [{ files: ['**/*.js'], rules: { 'prefer-const': 'error', 'no-var': 'warn' } }]\n")
    await writeFile(path.join(scratch.dir, 'package.json'), '{ "type": "module" }\n')
    await writeFile(path.join(scratch.dir, 'a.js'), 'let answer = 42\nexport { answer }\n')
    const ctx = lintStage({ workspace: scratch.dir })
    await runEslint(ctx, parseConfig(eslintConfigSchema, { fix: true, paths: 'a.js' }))
    expect(await readFile(path.join(scratch.dir, 'a.js'), 'utf8')).toBe('const answer = 42\nexport { answer }\n')
    expect(ctx.outputs.get('errors')).toBe('0')
  })

  it('explains how to install eslint when the project has none', async () => {
    const scratch = await makeScratchProject(false)
    cleanups.push(scratch.cleanup)
    const ctx = lintStage({ workspace: scratch.dir })
    const error = await runEslint(ctx, parseConfig(eslintConfigSchema, {})).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect((error as Error).message).toContain(`eslint is not installed in ${scratch.dir}`)
    expect((error as { details: string }).details).toContain('npm install --save-dev eslint')
  })

  it('rejects paths that leave the workspace at config time', () => {
    expect(() => parseConfig(eslintConfigSchema, { paths: ['../secrets'] })).toThrow(/stages\.lint\.with\.paths\.0/)
  })
})
