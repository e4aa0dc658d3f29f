import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {runCli, useTempProjects } from './helpers/cli.js'

const project = useTempProjects()

describe('pipewright init', () => {
  it('writes a starter pipeline from package-lock.json and the scripts, which then validates and runs', async () => {
    const dir = await project({
      'package.json': JSON.stringify({ name: 'shop', scripts: { lint: 'echo linted', test: 'echo tested', build: 'echo built' } }),
      'package-lock.json': JSON.stringify({ name: 'shop', lockfileVersion: 3, requires: true, packages: { '': { name: 'shop' } } }),
    })
    const r = await runCli(['init'], { cwd: dir })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('wrote pipewright.yml')
    expect(r.stdout).toContain('package manager: npm (from package-lock.json)')
    const yml = await readFile(join(dir, 'pipewright.yml'), 'utf8')
    expect(yml).toContain('name: shop')
    expect(yml).toContain('run: npm ci')
    expect(yml).toContain('run: npm run lint')
    expect(yml).toContain('run: npm run test')
    expect(yml).toContain('run: npm run build')

    const valid = await runCli(['validate'], { cwd: dir })
    expect(valid.code).toBe(0)
    expect(valid.stdout).toContain('pipewright.yml is valid')
  })

  it('refuses to overwrite an existing pipewright.yml without --force (exit 2)', async () => {
    const dir = await project({ 'pipewright.yml': 'name: mine\nstages:\n  a:\n    run: echo mine\n', 'pnpm-lock.yaml': '', 'package.json': '{"name":"p"}' })
    const refused = await runCli(['init'], { cwd: dir })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/^error PW_ERR_USAGE: pipewright\.yml already exists/m)
    expect(refused.stderr).toMatch(/^fix: .*--force/m)
    expect(await readFile(join(dir, 'pipewright.yml'), 'utf8')).toContain('echo mine')

    const forced = await runCli(['init', '--force'], { cwd: dir })
    expect(forced.code).toBe(0)
    expect(await readFile(join(dir, 'pipewright.yml'), 'utf8')).toContain('pnpm install --frozen-lockfile')
  })
})

describe('pipewright validate', () => {
  it('prints every problem as file:line:col path: message, exit 2', async () => {
    const dir = await project({
      'ci/pipe.yml': ['name: bad', 'stages:', '  lint:', '    run: echo hi', '    retry: lots', '  test:', '    needs: [lint, nope]', '    run: echo t', ''].join('\n'),
    })
    const r = await runCli(['validate', '-f', 'ci/pipe.yml'], { cwd: dir })
    expect(r.code).toBe(2)
    const lines = r.stdout.trim().split('\n')
    expect(lines).toContainEqual(expect.stringMatching(/^ci\/pipe\.yml:5:\d+ stages\.lint\.retry: /))
    expect(lines).toContainEqual(expect.stringMatching(/^ci\/pipe\.yml:7:\d+ stages\.test\.needs\.1: .*nope/))
    expect(lines.at(-1)).toBe('✗ 2 problems in ci/pipe.yml')
  })

  it('reports YAML syntax errors with their position, exit 2', async () => {
    const dir = await project({ 'pipewright.yml': 'name: x\nstages:\n  a:\n    run: [unclosed\n' })
    const r = await runCli(['validate'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(`${r.stdout}${r.stderr}`).toMatch(/pipewright\.yml:\d+:\d+/)
  })

  it('a missing -f file: PW_ERR_PIPELINE_NOT_FOUND, exit 2', async () => {
    const dir = await project()
    const r = await runCli(['validate', '-f', 'nope.yml'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^error PW_ERR_PIPELINE_NOT_FOUND: Pipeline file nope\.yml does not exist/m)
  })
  it('--json prints { valid, problems: [{ file, line, column, path, message, code }] } with the same exit codes', async () => {
    const dir = await project({
      'pipewright.yml': 'name: ok\nstages:\n  a: { run: "true" }\n',
      'ci/pipe.yml': ['name: bad', 'stages:', '  test:', '    needs: [nope]', '    run: echo t', ''].join('\n'),
    })
    const ok = await runCli(['validate', '--json'], { cwd: dir })
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toEqual({ valid: true, problems: [] })

    const bad = await runCli(['validate', '-f', 'ci/pipe.yml', '--json'], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(JSON.parse(bad.stdout)).toEqual({
      valid: false,
      problems: [{ file: 'ci/pipe.yml', line: 4, column: 13, path: 'stages.test.needs.0', message: 'Stage "test" needs "nope", which is not a stage.', code: 'PW_ERR_CONFIG_INVALID' }],
    })

    const missing = await runCli(['validate', '-f', 'nope.yml', '--json'], { cwd: dir })
    expect(missing.code).toBe(2)
    expect(JSON.parse(missing.stdout)).toMatchObject({ valid: false, problems: [{ file: 'nope.yml', line: null, column: null, code: 'PW_ERR_PIPELINE_NOT_FOUND' }] })
  })

  it('says in words that a pipeline file is empty or has no stages, with a pipeline to start from', async () => {
    const dir = await project({ 'empty.yml': '', 'nostages.yml': 'name: app\n' })
    const empty = await runCli(['validate', '-f', 'empty.yml'], { cwd: dir })
    expect(empty.code).toBe(2)
    expect(empty.stdout).toMatch(/^empty\.yml The pipeline file is empty\.\n {2}fix: .*\n\n {7}name: my-app\n {7}stages:\n/m)
    expect(empty.stdout).not.toContain('Required')

    const none = await runCli(['validate', '-f', 'nostages.yml'], { cwd: dir })
    expect(none.code).toBe(2)
    expect(none.stdout).toMatch(/^nostages\.yml:1:1 stages: A pipeline needs a `stages:` map/m)
    expect(none.stdout).toMatch(/^ {7}stages:\n {9}lint:\n {11}run: npm run lint$/m)
    expect(none.stdout).not.toContain('Required')

    // run prints the same problem and fix, on stderr.
    const run = await runCli(['run', '-f', 'empty.yml'], { cwd: dir })
    expect(run.code).toBe(2)
    expect(run.stderr).toMatch(/^ {2}empty\.yml The pipeline file is empty\.\n {4}fix: /m)
  })

  it('suggests the key meant for a typo inside a plugin stage\'s with:', async () => {
    const dir = await project({
      'pipewright.yml': ['name: typos', 'stages:', '  lint:', '    uses: linter/run', '    with:', '      command: eslint .', '      patern: "(?<message>.+)"', '  image:', '    uses: docker/build', '    with:', '      tags: [app]', '      dockerfle: build/Dockerfile', ''].join('\n'),
    })
    const r = await runCli(['validate'], { cwd: dir })
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(/^pipewright\.yml:7:7 stages\.lint\.with\.patern: Unknown key "patern"\. Did you mean "pattern"\?$/m)
    // docker/build's schema is a plain z.object, which drops unknown keys: the typo was silently ignored.
    expect(r.stdout).toMatch(/^pipewright\.yml:12:7 stages\.image\.with\.dockerfle: Unknown key "dockerfle"\. Did you mean "dockerfile"\?$/m)
  })
})

describe('pipewright graph', () => {
  const PIPELINE = 'name: g\nstages:\n  lint:\n    run: echo l\n  test:\n    needs: lint\n    matrix:\n      node: [18, 20]\n    run: echo t\n'

  it('prints Mermaid by default and DOT on request, with matrix instances expanded', async () => {
    const dir = await project({ 'pipewright.yml': PIPELINE })
    const mermaid = await runCli(['graph'], { cwd: dir })
    expect(mermaid.code).toBe(0)
    expect(mermaid.stdout).toMatch(/^flowchart/)
    expect(mermaid.stdout).toContain('test[node=20]')

    const dot = await runCli(['graph', '--format', 'dot'], { cwd: dir })
    expect(dot.code).toBe(0)
    expect(dot.stdout).toMatch(/^digraph/)
    expect(dot.stdout).toContain('"lint" -> "test[node=18]"')

    const bad = await runCli(['graph', '--format', 'png'], { cwd: dir })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^error PW_ERR_USAGE: --format png/m)
  })
})

describe('pipewright plugins', () => {
  it('lists the first-party plugins and their stage types', async () => {
    const dir = await project()
    const r = await runCli(['plugins', '--json'], { cwd: dir })
    expect(r.code).toBe(0)
    const plugins = JSON.parse(r.stdout) as Array<{ id: string; stages: string[] }>
    expect(plugins.map((p) => p.id)).toEqual(expect.arrayContaining(['git', 'docker', 'linter', 'test-runner']))
    expect(plugins.find((p) => p.id === 'docker')?.stages).toContain('docker/build')

    const table = await runCli(['plugins'], { cwd: dir })
    expect(table.stdout).toMatch(/^docker\s+\S+\s+first-party\s+built in\s+stages: .*docker\/build/m)
    expect(table.stderr).toBe('')
  })
})
