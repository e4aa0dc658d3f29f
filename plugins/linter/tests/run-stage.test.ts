import { createRequire } from 'node:module'
import path from 'node:path'
import { isPipewrightError } from '@pipewright/plugin-api'
import { describe, expect, it } from 'vitest'
import { runConfigSchema, type ProblemsRecord } from '../src/index.js'
import { runMatcher } from '../src/run/stage.js'
import { parseConfig } from './helpers/config.js'
import { lintStage } from './helpers/context.js'
import { FIXTURES, REPO_ROOT } from './helpers/paths.js'

const TSC_PATTERN = String.raw`^(?<file>[^(]+)\((?<line>\d+),(?<column>\d+)\): (?<severity>error|warning) (?<rule>TS\d+): (?<message>.+)$`

describe('linter/run', () => {
  it('turns real tsc output into problems', async () => {
    const tsc = createRequire(path.join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc')
    const workspace = path.join(FIXTURES, 'tsc-project')
    const ctx = lintStage({ workspace })
    await runMatcher(ctx, parseConfig(runConfigSchema, { command: [process.execPath, tsc, '--pretty', 'false', '-p', '.'], pattern: TSC_PATTERN }))
    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.problems).toEqual([
      { file: 'src/index.ts', line: 3, column: 9, severity: 'error', message: "Type 'number' is not assignable to type 'string'.", rule: 'TS2322' },
    ])
    // tsc exits 2 on type errors; without fail-on-exit the stage still succeeds.
    expect(ctx.outputs.all()).toEqual({ errors: '1', warnings: '0', notes: '0' })
  })

  it('reads both streams, relativizes absolute paths and applies default-severity', async () => {
    const workspace = path.join(FIXTURES, 'eslint-project')
    const abs = path.join(workspace, 'src', 'greet.js')
    const script = [
      `console.log(${JSON.stringify(`${abs}:4:3: W: loose equality [eqeqeq]`)})`,
      `console.error('src/clean.js:1: odd spacing')`,
      `console.log('\\u001b[31mlib/x.js:9:1: error: colours are stripped [c1]\\u001b[39m')`,
      `console.log('this line matches nothing')`,
    ].join(';')
    const pattern = String.raw`^(?<file>[^:]+):(?<line>\d+)(?::(?<column>\d+))?: (?:(?<severity>\w+): )?(?<message>.+?)(?: \[(?<rule>[\w-]+)\])?$`
    const ctx = lintStage({ workspace })
    await runMatcher(ctx, parseConfig(runConfigSchema, { command: ['node', '-e', script], pattern, 'default-severity': 'note' }))
    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.problems).toEqual([
      { file: 'lib/x.js', line: 9, column: 1, severity: 'error', message: 'colours are stripped', rule: 'c1' },
      { file: 'src/greet.js', line: 4, column: 3, severity: 'warning', message: 'loose equality', rule: 'eqeqeq' },
      { file: 'src/clean.js', line: 1, severity: 'note', message: 'odd spacing' },
    ])
  })

  it('only reads the chosen stream', async () => {
    const ctx = lintStage({ workspace: FIXTURES })
    await runMatcher(ctx, parseConfig(runConfigSchema, { command: "echo 'out: a'; echo 'err: b' >&2", pattern: '^(?<severity>\\w+): (?<message>.+)$', stream: 'stderr' }))
    const record = await ctx.records.get<ProblemsRecord>('linter.problems')
    expect(record?.problems).toEqual([{ severity: 'error', message: 'b' }])
  })

  it('fails on a non-zero exit only with fail-on-exit, after recording', async () => {
    const ctx = lintStage({ workspace: FIXTURES })
    const config = parseConfig(runConfigSchema, { command: "echo 'E: broken'; exit 4", pattern: '^E: (?<message>.+)$', 'fail-on-exit': true })
    const error = await runMatcher(ctx, config).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect((error as Error).message).toBe('linter/run in stage lint: the command exited with code 4')
    expect(ctx.outputs.get('errors')).toBe('1')
  })

  describe('config validation names the field', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['an invalid regex', '(?<message>.+', /Invalid problem matcher: Invalid regular expression/],
      ['no message group', '^(?<file>.+):(?<line>\\d+)$', /needs a named group "message"/],
      ['an unknown group', '^(?<path>.+): (?<message>.+)$', /Unknown named group "path"; use file, line, column, severity, message, rule/],
    ]
    it.each(cases)('rejects %s', (_name, pattern, message) => {
      let error: unknown
      try {
        parseConfig(runConfigSchema, { command: 'true', pattern })
      } catch (e) {
        error = e
      }
      expect(isPipewrightError(error)).toBe(true)
      expect(error).toMatchObject({ code: 'PW_ERR_CONFIG_INVALID', problems: [{ path: 'stages.lint.with.pattern' }] })
      expect((error as { problems: Array<{ message: string }> }).problems[0]?.message).toMatch(message)
    })
  })
})

describe('linter/run when the program is missing', () => {
  // An argv program that cannot start makes ctx.exec itself throw (the engine's behaviour, which
  // the test kit shares); through a shell it is exit code 127, which the plugin turns into its error.
  it.each([
    ['an argv list', ['pw-no-such-linter', '--check'], 'Stage lint: command not found: pw-no-such-linter'],
    ['a shell string', 'pw-no-such-linter --check', 'linter/run in stage lint: `pw-no-such-linter --check` could not run (exit code 127)'],
  ])('fails instead of reporting zero problems (%s)', async (_name, command, message) => {
    const ctx = lintStage({ workspace: FIXTURES })
    const error = await runMatcher(ctx, parseConfig(runConfigSchema, { command, pattern: '(?<message>.+)' })).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'PW_ERR_STAGE_FAILED' })
    expect((error as Error).message).toBe(message)
    expect(await ctx.records.get('linter.problems')).toBeUndefined()
  })
})
