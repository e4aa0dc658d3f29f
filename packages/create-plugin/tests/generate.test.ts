import { spawnSync } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generatePlugin } from '../src/generate.js'

const repoRoot = resolve(import.meta.dirname, '../../..')

describe('generatePlugin', () => {
  it('writes the package files with a peer dependency on the plugin-api', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'pw-gen-'))
    try {
      const result = await generatePlugin({ name: '@acme/pipewright-plugin-hello', dir: join(parent, 'hello') })
      expect(result.files).toEqual([
        '.changeset/config.json',
        '.changeset/initial-release.md',
        '.gitignore',
        'README.md',
        'package.json',
        'src/index.ts',
        'tests/plugin.test.ts',
        'tsconfig.json',
        'tsup.config.ts',
        'vitest.config.ts',
      ])
      const pkg = JSON.parse(await readFile(join(result.dir, 'package.json'), 'utf8'))
      const apiVersion = JSON.parse(await readFile(join(repoRoot, 'packages/plugin-api/package.json'), 'utf8')).version
      expect(pkg).toMatchObject({ name: '@acme/pipewright-plugin-hello', type: 'module', peerDependencies: { '@pipewright/plugin-api': `^${apiVersion}` } })
      expect(JSON.stringify(pkg)).not.toContain('workspace:')
      expect(await readFile(join(result.dir, 'src/index.ts'), 'utf8')).toContain("id: 'hello'")
      expect(await readFile(join(result.dir, '.changeset/initial-release.md'), 'utf8')).toContain("'@acme/pipewright-plugin-hello': minor")

      // One package manager throughout: the scripts, the README and the hint the generator prints.
      expect(pkg.scripts.release).toBe('npm run build && changeset publish')
      expect(result.nextSteps).toEqual(['npm install', 'npm test'])
      const readme = await readFile(join(result.dir, 'README.md'), 'utf8')
      for (const step of [...result.nextSteps, 'npm run build', 'npm run changeset', 'npm run release']) expect(readme).toContain(step)
      expect(readme + JSON.stringify(pkg)).not.toMatch(/\b(pnpm|yarn)\b/)

      await expect(generatePlugin({ name: 'hello', dir: result.dir })).rejects.toMatchObject({ code: 'PW_ERR_USAGE', message: expect.stringContaining('not empty') })
    } finally {
      await rm(parent, { recursive: true, force: true })
    }
  })
})

// The generated package must work as generated: type-check it and run its own tests for real.
// It is written inside the workspace (gitignored .tmp/) so vitest and typescript resolve from the
// repo root, and its node_modules links the workspace packages it depends on, as an install would.
describe('a generated plugin', () => {
  let dir: string
  beforeAll(async () => {
    await mkdir(join(repoRoot, '.tmp'), { recursive: true })
    const parent = await mkdtemp(join(repoRoot, '.tmp/create-plugin-'))
    dir = (await generatePlugin({ name: 'pipewright-plugin-greeter', dir: join(parent, 'greeter') })).dir
    await mkdir(join(dir, 'node_modules/@pipewright'), { recursive: true })
    for (const pkg of ['plugin-api', 'testing', 'core']) await symlink(join(repoRoot, 'packages', pkg), join(dir, 'node_modules/@pipewright', pkg))
    // Sources instead of dist, so this needs no build: the same condition the repo's own tests use.
    await writeFile(
      join(dir, 'vitest.source.config.ts'),
      `import { mergeConfig } from 'vitest/config'\nimport base from './vitest.config.ts'\nexport default mergeConfig(base, { resolve: { conditions: ['@pipewright/source'] }, ssr: { resolve: { conditions: ['@pipewright/source'] } } })\n`,
    )
  })
  afterAll(async () => {
    if (dir) await rm(resolve(dir, '..'), { recursive: true, force: true })
  })

  it('type-checks', () => {
    const tsc = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit', '--customConditions', '@pipewright/source'], { cwd: dir, encoding: 'utf8' })
    expect(tsc.stdout + tsc.stderr).toBe('')
    expect(tsc.status).toBe(0)
  })

  it('passes its own tests', () => {
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.source.config.ts', '--reporter=json', '--outputFile=vitest-result.json'],
      { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: 'true' } },
    )
    const report = JSON.parse(spawnSync('cat', [join(dir, 'vitest-result.json')], { encoding: 'utf8' }).stdout || '{}') as { numPassedTests?: number; numFailedTests?: number }
    expect({ status: run.status, ...report, output: run.status === 0 ? '' : run.stdout + run.stderr }).toMatchObject({ status: 0, numPassedTests: 3, numFailedTests: 0, output: '' })
  }, 120_000)
})
