import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyForVersioning, readManifest, versionWithChangeset } from '../src/changeset-copy.js'
import { manifestProblems, packPackage, type PackedPackage } from '../src/pack.js'
import { listWorkspacePackages, REPO_ROOT, run, type WorkspacePackage } from '../src/workspace.js'

// Publishing for real, without a registry: build, version (on a copy), pack every public package,
// install four of the tarballs with plain npm into a fresh project and run a pipeline there.
// Slow by nature (better-sqlite3 compiles from source): there is exactly one npm install.

const packages = listWorkspacePackages()
const publicPackages = packages.filter((p) => !p.private)
const byName = (name: string): WorkspacePackage => packages.find((p) => p.name === name)!
let work: string

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pw-pack-'))
})
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true })
})

describe('changeset version (on a copy of the workspace)', () => {
  it('a plugin-api patch bumps its dependents by a patch and leaves plugins alone', async () => {
    const dir = await mkdtemp(join(work, 'version-patch-'))
    await copyForVersioning(packages, dir)
    await versionWithChangeset(dir, { '@pipewright/plugin-api': 'patch' }, 'Fix a typo in a TSDoc comment.')
    const api = await readManifest(dir, byName('@pipewright/plugin-api'))
    expect(api.version).not.toBe(byName('@pipewright/plugin-api').version)
    expect(await readFile(join(dir, 'packages/plugin-api/CHANGELOG.md'), 'utf8')).toContain('Fix a typo in a TSDoc comment.')
    expect(existsSync(join(dir, '.changeset/pack-test-change.md'))).toBe(false)
    // Plugins take the plugin-api as a peer: a patch stays in their range, so they are not re-released.
    const plugin = await readManifest(dir, byName('pipewright-plugin-http-check'))
    expect(plugin.version).toBe(byName('pipewright-plugin-http-check').version)
    // Internal ranges stay on the workspace protocol in the repo; `pnpm pack` resolves them.
    expect((await readManifest(dir, byName('@pipewright/core'))).dependencies['@pipewright/plugin-api']).toMatch(/^workspace:/)
  })

  it('a breaking plugin-api release (0.x minor) moves every plugin to a new major with the new peer range', async () => {
    const dir = await mkdtemp(join(work, 'version-minor-'))
    await copyForVersioning(packages, dir)
    await versionWithChangeset(dir, { '@pipewright/plugin-api': 'minor' }, 'Breaking: a new StageContext member.')
    const api = await readManifest(dir, byName('@pipewright/plugin-api'))
    const core = await readManifest(dir, byName('@pipewright/core'))
    expect(core.version).toBe(api.version) // core and plugin-api are `linked`
    const plugin = await readManifest(dir, byName('pipewright-plugin-http-check'))
    expect(plugin.peerDependencies['@pipewright/plugin-api']).toBe(`^${api.version}`)
    expect(plugin.version.split('.')[0]).not.toBe(byName('pipewright-plugin-http-check').version.split('.')[0])
  })
})

describe('the packed packages', () => {
  const packed = new Map<string, PackedPackage>()

  beforeAll(async () => {
    // nx builds in dependency order and skips what is already built (the root `pnpm test` built it all).
    run(join(REPO_ROOT, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', `--projects=${publicPackages.map((p) => p.name).join(',')}`, '--output-style=static'], { cwd: REPO_ROOT })
    const dest = await mkdtemp(join(work, 'tarballs-'))
    for (const pkg of publicPackages) packed.set(pkg.name, await packPackage(pkg, dest))
  })

  it('includes every public package', () => {
    expect([...packed.keys()].sort()).toEqual(expect.arrayContaining(['@pipewright/core', '@pipewright/plugin-api', '@pipewright/store-api', '@pipewright/store-sqlite', '@pipewright/testing', 'create-pipewright-plugin', 'pipewright-plugin-http-check']))
  })

  it('point exports at dist with types, keep no workspace ranges and no source condition', () => {
    const problems = [...packed.values()].flatMap(manifestProblems)
    expect(problems).toEqual([])
    for (const p of packed.values()) expect(JSON.stringify(p.manifest)).not.toContain('src/index.ts')
  })

  it('each carry a README (the registry page)', () => {
    expect([...packed.values()].filter((p) => !p.files.includes('README.md')).map((p) => p.name)).toEqual([])
  })

  it('resolve internal dependencies to the versions being published', () => {
    const core = packed.get('@pipewright/core')!.manifest
    expect(core.dependencies['@pipewright/plugin-api']).toBe(`^${byName('@pipewright/plugin-api').version}`)
    const generator = packed.get('create-pipewright-plugin')!
    expect(generator.manifest.bin).toEqual({ 'create-pipewright-plugin': './dist/bin.js' })
  })

  it('ship a generator whose built bin scaffolds a plugin', async () => {
    const target = join(work, 'generated-plugin')
    const out = run(process.execPath, [join(byName('create-pipewright-plugin').path, 'dist/bin.js'), 'pipewright-plugin-demo', '--dir', target], { cwd: work })
    expect(out).toContain('Created pipewright-plugin-demo (plugin id "demo")')
    expect(JSON.parse(await readFile(join(target, 'package.json'), 'utf8'))).toMatchObject({ name: 'pipewright-plugin-demo' })
    expect(existsSync(join(target, 'tests/plugin.test.ts'))).toBe(true)
  })

  it('install with plain npm into a fresh project and run a pipeline with a third-party plugin', async () => {
    const project = await mkdtemp(join(work, 'consumer-'))
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    const tarballs = ['@pipewright/plugin-api', '@pipewright/store-api', '@pipewright/core', '@pipewright/store-sqlite', 'pipewright-plugin-http-check'].map((n) => packed.get(n)!.tarball)
    // npm_config_nodedir: better-sqlite3 has no downloadable prebuilt binary here and builds against the local headers.
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: project, env: { npm_config_nodedir: '/usr' }, timeoutMs: 900_000 })

    await writeFile(join(project, 'consumer.mjs'), await readFile(join(import.meta.dirname, 'fixtures/consumer.mjs')))
    const { result, logs, finished, seen } = JSON.parse(run(process.execPath, ['consumer.mjs'], { cwd: project })) as {
      result: { status: string; stages: Array<{ id: string; status: string; outputs: Record<string, string> }> }
      logs: string[]
      finished: string[]
      seen: string[]
    }
    expect(finished).toEqual(['hello=succeeded', 'up=succeeded'])
    expect(seen).toEqual(expect.arrayContaining(['run:started', 'stage:started', 'stage:log', 'gate:evaluated', 'stage:finished', 'run:finished']))
    expect(result.status).toBe('succeeded')
    expect(result.stages.find((s) => s.id === 'up')).toMatchObject({ status: 'succeeded', outputs: { status: '200' } })
    expect(logs).toContain('hello: api v1')
    expect(existsSync(join(project, '.pipewright/pipewright.db'))).toBe(true)
  })
})
