import { execFileSync } from 'node:child_process'
import { cpSync, readFileSync, realpathSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readPipelineFile } from '@pipewright/core'
import { runCli, useTempProjects } from './helpers/cli.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const project = useTempProjects()

/** Where the repository installed each package the fixture projects depend on. */
const INSTALLED: Record<string, string> = {
  eslint: join(ROOT, 'node_modules/eslint'),
  vitest: join(ROOT, 'node_modules/vitest'),
  jest: join(ROOT, 'plugins/test-runner/node_modules/jest'),
}

// npm and pnpm read these: no audit, fund or update-check requests, nothing fetched.
const OFFLINE = { npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', pnpm_config_update_notifier: 'false' }

/**
 * A copy of a fixture project, installed the way its owner would have it before `init`: its
 * devDependencies point (`file:`) at the repository's installed packages, and `npm install
 * --offline` writes package-lock.json and node_modules without the network.
 */
async function installedProject(fixture: string, npmInstall: boolean): Promise<string> {
  const dir = await project()
  cpSync(join(FIXTURES, fixture), dir, { recursive: true })
  const file = join(dir, 'package.json')
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { devDependencies?: Record<string, string> }
  for (const name of Object.keys(pkg.devDependencies ?? {})) pkg.devDependencies![name] = `file:${realpathSync(INSTALLED[name]!)}`
  writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`)
  if (npmInstall) execFileSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, env: { ...process.env, ...OFFLINE }, stdio: 'pipe' })
  return dir
}

/** init → validate → run → run again, each through the built CLI; returns what they printed. */
async function initAndRunTwice(dir: string) {
  const init = await runCli(['init'], { cwd: dir, env: OFFLINE })
  expect(init.code, init.stderr).toBe(0)
  const pipeline = (await readPipelineFile(dir)).input as { stages: Record<string, Record<string, unknown>> }
  const validate = await runCli(['validate'], { cwd: dir, env: OFFLINE })
  expect(validate.code, validate.stderr + validate.stdout).toBe(0)
  const first = await runCli(['run'], { cwd: dir, env: OFFLINE })
  expect(first.code, first.stdout + first.stderr).toBe(0)
  const second = await runCli(['run'], { cwd: dir, env: OFFLINE })
  expect(second.code, second.stdout + second.stderr).toBe(0)
  return { init: init.stdout, pipeline, first: first.stdout, second: second.stdout }
}

/** The stages a plain run printed as `◆ <id> cached`. */
const cachedStages = (stdout: string) => [...stdout.matchAll(/^◆ (\S+) cached$/gm)].map((m) => m[1]).sort()

describe('pipewright init writes a pipeline that runs, and reruns from the cache', () => {
  it('npm + vitest + eslint: linter/eslint with its gate, test-runner/vitest, a cached build with its output', async () => {
    const dir = await installedProject('init-npm-vitest-eslint', true)
    const { init, pipeline, first, second } = await initAndRunTwice(dir)
    expect(init).toContain('tools: eslint → linter/eslint, vitest → test-runner/vitest')
    expect(init).toContain('created .gitignore with .pipewright/')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('.pipewright/\n')
    const inputs = ['package.json', 'package-lock.json', 'build.js', 'eslint.config.js', 'src/**', 'vitest.config.mjs']
    expect(pipeline.stages).toEqual({
      install: { run: 'npm ci' },
      lint: { needs: 'install', uses: 'linter/eslint', cache: { inputs }, gates: [{ uses: 'linter/max-issues', with: { errors: 0 } }] },
      test: { needs: 'install', uses: 'test-runner/vitest', cache: { inputs } },
      build: { needs: ['lint', 'test'], run: 'npm run build', cache: { inputs }, artifacts: ['dist/**'] },
    })
    // install → lint and test side by side → build.
    const graph = await runCli(['graph'], { cwd: dir, env: OFFLINE })
    expect(graph.stdout.split('\n').filter((l) => l.includes('-->')).map((l) => l.trim())).toEqual(['s0 --> s1', 's0 --> s2', 's1 --> s3', 's2 --> s3'])
    expect(first).toContain('gate linter/max-issues: pass')
    expect(first).toMatch(/✓ shop succeeded .*\(4 succeeded\)/)
    expect(cachedStages(second)).toEqual(['build', 'lint', 'test'])
    expect(second).toMatch(/✓ shop succeeded .*\(1 succeeded, 3 cached\)/)
  })

  it('pnpm + node:test: the pinned pnpm, test-runner/node', async () => {
    const dir = await installedProject('init-pnpm-node-test', false)
    const { init, pipeline, first, second } = await initAndRunTwice(dir)
    expect(init).toContain('package manager: pnpm (from pnpm-lock.yaml)')
    expect(pipeline.stages).toEqual({
      install: { run: 'pnpm install --frozen-lockfile' },
      test: { needs: 'install', uses: 'test-runner/node', cache: { inputs: ['package.json', 'pnpm-lock.yaml', 'src/**'] } },
    })
    expect(first).toMatch(/✓ test \(/)
    expect(cachedStages(second)).toEqual(['test'])
  })

  it('a plain project without tests or a lockfile: npm install, then a cached build', async () => {
    const dir = await installedProject('init-plain', false)
    const { pipeline, second } = await initAndRunTwice(dir)
    expect(pipeline.stages).toEqual({
      install: { run: 'npm install' },
      build: { needs: 'install', run: 'npm run build', cache: { inputs: ['package.json', 'build.js', 'src/**'] }, artifacts: ['dist/**'] },
    })
    // The lockfile `npm install` wrote in the first run is not an input: the build stays cached.
    expect(cachedStages(second)).toEqual(['build'])
  })

  it('jest: test-runner/jest', async () => {
    const dir = await installedProject('init-jest', true)
    const { pipeline, second } = await initAndRunTwice(dir)
    expect(pipeline.stages.test).toEqual({ needs: 'install', uses: 'test-runner/jest', cache: { inputs: ['package.json', 'package-lock.json', 'src/**'] } })
    expect(cachedStages(second)).toEqual(['test'])
  })

  it('appends .pipewright/ to an existing .gitignore once', async () => {
    const dir = await project({ 'package.json': '{"name":"x"}', '.gitignore': 'node_modules' })
    expect((await runCli(['init'], { cwd: dir })).stdout).toContain('added to .gitignore: .pipewright/')
    expect((await runCli(['init', '--force'], { cwd: dir })).stdout).not.toContain('.gitignore')
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('node_modules\n.pipewright/\n')
  })
})
