import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { pipelineSchema } from '../pipeline/schema.js'
import { detectProject } from './detect-project.js'
import { renderStarterPipeline } from './starter-pipeline.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pw-init-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function project(files: Record<string, string | object>): Promise<void> {
  for (const [name, body] of Object.entries(files)) {
    await writeFile(join(dir, name), typeof body === 'string' ? body : JSON.stringify(body))
  }
}

describe('detectProject', () => {
  it.each([
    ['package-lock.json', 'npm', 'npm ci', 'npm run lint'],
    ['pnpm-lock.yaml', 'pnpm', 'pnpm install --frozen-lockfile', 'pnpm run lint'],
    ['yarn.lock', 'yarn', 'yarn install --frozen-lockfile', 'yarn lint'],
    ['bun.lockb', 'bun', 'bun install --frozen-lockfile', 'bun run lint'],
  ])('detects %s as %s and writes matching commands', async (lockfile, manager, install, lint) => {
    await project({ 'package.json': { name: 'app', scripts: { lint: 'biome check', test: 'vitest run', build: 'tsup' } }, [lockfile]: '' })
    const info = await detectProject(dir)
    expect(info).toMatchObject({ name: 'app', packageManager: manager, lockfile, scripts: ['lint', 'test', 'build'], testRunner: 'vitest', eslint: false })

    const spec = pipelineSchema.parse(parse(renderStarterPipeline(info)))
    expect(spec.stages.install?.run).toBe(install)
    expect(spec.stages.lint).toMatchObject({ run: lint, needs: ['install'], cache: { inputs: ['package.json', lockfile] } })
    expect(spec.stages.test).toMatchObject({ uses: 'test-runner/vitest', needs: ['install'] })
    expect(spec.stages.build?.needs).toEqual(['lint', 'test'])
  })

  it('writes the plugins\' stages for eslint and node:test, cached on the lockfile and the sources', async () => {
    await project({
      'package.json': { name: 'app', main: 'dist/index.js', scripts: { lint: 'eslint src', test: 'node --test', typecheck: 'tsc --noEmit', build: 'tsc' }, devDependencies: { eslint: '9.39.5', c8: '12.0.0' } },
      'package-lock.json': '{}',
      'eslint.config.js': 'export default []',
      'tsconfig.json': '{}',
      'pipewright.yml': '',
    })
    for (const sub of ['src', 'test', 'dist', 'node_modules', '.git', 'coverage']) await mkdir(join(dir, sub))
    const info = await detectProject(dir)
    expect(info).toMatchObject({ testRunner: 'node', eslint: true, coverage: true, buildOutput: 'dist' })
    const inputs = ['package.json', 'package-lock.json', 'eslint.config.js', 'src/**', 'test/**', 'tsconfig.json']
    expect(info.sources).toEqual(inputs)
    const spec = pipelineSchema.parse(parse(renderStarterPipeline(info)))
    expect(Object.keys(spec.stages)).toEqual(['install', 'lint', 'typecheck', 'test', 'build'])
    expect(spec.stages.install?.cache).toBeUndefined()
    expect(spec.stages.lint).toMatchObject({ uses: 'linter/eslint', needs: ['install'], cache: { inputs }, gates: [{ uses: 'linter/max-issues', with: { errors: 0 } }] })
    expect(spec.stages.typecheck).toMatchObject({ run: 'npm run typecheck', cache: { inputs } })
    expect(spec.stages.test).toMatchObject({ uses: 'test-runner/node', with: { coverage: true }, cache: { inputs } })
    expect(spec.stages.build).toMatchObject({ needs: ['lint', 'typecheck', 'test'], run: 'npm run build', cache: { inputs }, artifacts: ['dist/**'] })
  })

  it('detects jest, and leaves a build whose output it cannot name uncached, saying why', async () => {
    await project({ 'package.json': { name: 'app', scripts: { test: 'jest --ci', build: 'node build.js' } }, 'yarn.lock': '' })
    const info = await detectProject(dir)
    expect(info.testRunner).toBe('jest')
    const yaml = renderStarterPipeline(info)
    const spec = pipelineSchema.parse(parse(yaml))
    expect(spec.stages.test).toMatchObject({ uses: 'test-runner/jest', cache: { inputs: ['package.json', 'yarn.lock'] } })
    expect(spec.stages.build?.cache).toBeUndefined()
    expect(yaml).toContain('# Not cached: package.json names no output directory')
    expect(yaml).toContain('# Not cached: a cache hit would skip it without bringing node_modules back.')
  })

  it('runs a test script of another harness as a script', async () => {
    await project({ 'package.json': { name: 'app', scripts: { test: 'tape test/*.js' }, devDependencies: { vitest: '4' } } })
    const info = await detectProject(dir)
    expect(info.testRunner).toBeUndefined()
    expect(pipelineSchema.parse(parse(renderStarterPipeline(info))).stages.test).toMatchObject({ run: 'npm run test' })
  })

  it('prefers pnpm-lock.yaml over a stale package-lock.json', async () => {
    await project({ 'package.json': { name: 'x' }, 'package-lock.json': '{}', 'pnpm-lock.yaml': '' })
    expect((await detectProject(dir)).packageManager).toBe('pnpm')
  })

  it('uses yarn --immutable for yarn berry', async () => {
    await project({ 'package.json': { name: 'x' }, 'yarn.lock': '', '.yarnrc.yml': '' })
    const yaml = renderStarterPipeline(await detectProject(dir))
    expect(pipelineSchema.parse(parse(yaml)).stages.install?.run).toBe('yarn install --immutable')
  })

  it('falls back to the packageManager field, and skips npm placeholder test scripts', async () => {
    await project({ 'package.json': { name: 'x', packageManager: 'pnpm@9.1.0', scripts: { test: 'echo "Error: no test specified" && exit 1' } } })
    const info = await detectProject(dir)
    expect(info.packageManager).toBe('pnpm')
    expect(info.pinned).toEqual({ name: 'pnpm', version: '9.1.0' })
    expect(info.lockfile).toBeUndefined()
    expect(info.scripts).toEqual([])
    const spec = pipelineSchema.parse(parse(renderStarterPipeline(info)))
    expect(Object.keys(spec.stages)).toEqual(['install'])
    expect(spec.stages.install?.run).toBe('pnpm install')
  })

  it('writes a valid placeholder pipeline without package.json', async () => {
    const info = await detectProject(dir)
    expect(info.hasPackageJson).toBe(false)
    const spec = pipelineSchema.parse(parse(renderStarterPipeline(info)))
    expect(Object.keys(spec.stages)).toEqual(['hello'])
  })

  it('reports an unparsable package.json with its path', async () => {
    await project({ 'package.json': '{ nope' })
    await expect(detectProject(dir)).rejects.toMatchObject({ code: 'PW_ERR_INPUT_FILE', message: expect.stringContaining('package.json') })
  })
})
