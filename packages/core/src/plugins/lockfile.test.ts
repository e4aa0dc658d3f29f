import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isPipewrightError } from '@pipewright/plugin-api'
import { checkPins, computePackageIntegrity, lockFileFor, readLock, writeLock, type ResolvedPluginPackage } from './lockfile.js'

let root: string

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'pw-lock-'))
})
afterEach(async () => {
  await rm(root, { recursive: true, force: true })
})

/** Writes a real installed package under <root>/node_modules/<name>. */
async function installPackage(name: string, version: string, files: Record<string, string> = {}): Promise<string> {
  const dir = join(root, 'node_modules', name)
  await mkdir(join(dir, 'dist'), { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', exports: './dist/index.js' }))
  await writeFile(join(dir, 'dist/index.js'), files['dist/index.js'] ?? `export default { id: 'x' }\n`)
  for (const [path, content] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true })
    await writeFile(join(dir, path), content)
  }
  return dir
}

/** What the plugin host hands over after importing packages (see resolve.ts). */
async function resolved(...names: string[]): Promise<ResolvedPluginPackage[]> {
  return Promise.all(
    names.map(async (name) => {
      const dir = join(root, 'node_modules', name)
      const { version } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { version: string }
      return { spec: name, name, version, dir }
    }),
  )
}

describe('computePackageIntegrity', () => {
  it('is stable, changes with content and names, and ignores nested node_modules', async () => {
    const dir = await installPackage('plugin-a', '1.0.0')
    const first = await computePackageIntegrity(dir)
    expect(first).toMatch(/^sha512-[A-Za-z0-9+/]+=*$/)
    expect(await computePackageIntegrity(dir)).toBe(first)

    await mkdir(join(dir, 'node_modules/dep'), { recursive: true })
    await writeFile(join(dir, 'node_modules/dep/index.js'), 'anything')
    expect(await computePackageIntegrity(dir)).toBe(first)

    await writeFile(join(dir, 'dist/index.js'), `export default { id: 'y' }\n`)
    const edited = await computePackageIntegrity(dir)
    expect(edited).not.toBe(first)

    await writeFile(join(dir, 'dist/extra.js'), '')
    expect(await computePackageIntegrity(dir)).not.toBe(edited)
  })

  it('hashes a symlink by its target', async () => {
    const dir = await installPackage('plugin-a', '1.0.0')
    await symlink('index.js', join(dir, 'dist/alias.js'))
    const withLink = await computePackageIntegrity(dir)
    await rm(join(dir, 'dist/alias.js'))
    await symlink('other.js', join(dir, 'dist/alias.js'))
    expect(await computePackageIntegrity(dir)).not.toBe(withLink)
  })
})

describe('checkPins', () => {
  it('pins new plugins and writes a stable lock next to the pipeline', async () => {
    await installPackage('plugin-b', '2.0.0')
    await installPackage('@acme/plugin-a', '1.0.0')
    const lockFile = lockFileFor(join(root, 'pipewright.yml'))
    const { entries, changed } = await checkPins(lockFile, await resolved('plugin-b', '@acme/plugin-a'), { update: false })
    expect(changed.map((c) => [c.name, c.reason])).toEqual([['plugin-b', 'new'], ['@acme/plugin-a', 'new']])
    expect(entries.map((e) => e.name)).toEqual(['@acme/plugin-a', 'plugin-b'])

    const text = await readFile(lockFile, 'utf8')
    const json = JSON.parse(text)
    expect(Object.keys(json)).toEqual(['lockfileVersion', 'plugins'])
    expect(Object.keys(json.plugins)).toEqual(['@acme/plugin-a', 'plugin-b'])
    expect(Object.keys(json.plugins['plugin-b'])).toEqual(['name', 'version', 'integrity', 'spec'])
    expect(json.plugins['plugin-b'].integrity).toBe(await computePackageIntegrity(join(root, 'node_modules/plugin-b')))

    const again = await checkPins(lockFile, await resolved('@acme/plugin-a', 'plugin-b'), { update: false })
    expect(again.changed).toEqual([])
    expect(await readFile(lockFile, 'utf8')).toBe(text)
  })

  it('refuses a plugin whose files were tampered with, naming it, and re-pins on update', async () => {
    const dir = await installPackage('plugin-a', '1.0.0')
    const lockFile = join(root, 'pipewright.lock')
    await checkPins(lockFile, await resolved('plugin-a'), { update: false })
    const before = await readFile(lockFile, 'utf8')

    await writeFile(join(dir, 'dist/index.js'), 'process.exit(1)\n')
    const error = await checkPins(lockFile, await resolved('plugin-a'), { update: false }).catch((e: unknown) => e)
    expect(isPipewrightError(error) && error.code).toBe('PW_ERR_PLUGIN_INTEGRITY')
    expect((error as Error).message).toContain('plugin-a')
    expect((error as Error).message).toContain('pinned sha512-')
    expect((error as { details: string }).details).toContain('pipewright plugins update')
    expect(await readFile(lockFile, 'utf8')).toBe(before)

    const { changed } = await checkPins(lockFile, await resolved('plugin-a'), { update: true })
    expect(changed).toMatchObject([{ name: 'plugin-a', reason: 'integrity' }])
    const [entry] = await readLock(lockFile)
    expect(entry!.integrity).toBe(await computePackageIntegrity(dir))
    await expect(checkPins(lockFile, await resolved('plugin-a'), { update: false })).resolves.toMatchObject({ changed: [] })
  })

  it('refuses a changed version with both versions in the message', async () => {
    await installPackage('plugin-a', '1.0.0')
    const lockFile = join(root, 'pipewright.lock')
    await checkPins(lockFile, await resolved('plugin-a'), { update: false })
    await installPackage('plugin-a', '1.1.0')
    await expect(checkPins(lockFile, await resolved('plugin-a'), { update: false })).rejects.toThrow(/plugin-a: pinned version 1\.0\.0, installed 1\.1\.0/)
    const { changed } = await checkPins(lockFile, await resolved('plugin-a'), { update: true })
    expect(changed).toEqual([{ name: 'plugin-a', expected: '1.0.0', actual: '1.1.0', reason: 'version' }])
  })

  it('keeps entries of plugins not loaded this time, and drops them on update', async () => {
    await installPackage('plugin-a', '1.0.0')
    await installPackage('plugin-b', '1.0.0')
    const lockFile = join(root, 'pipewright.lock')
    await checkPins(lockFile, await resolved('plugin-a', 'plugin-b'), { update: false })
    expect((await checkPins(lockFile, await resolved('plugin-a'), { update: false })).entries).toHaveLength(2)
    await checkPins(lockFile, await resolved('plugin-a'), { update: true })
    expect((await readLock(lockFile)).map((e) => e.name)).toEqual(['plugin-a'])
  })
})

describe('readLock / writeLock', () => {
  it('round-trips and rejects a malformed lock with the file named', async () => {
    const file = join(root, 'pipewright.lock')
    expect(await readLock(file)).toEqual([])
    const entry = { name: 'p', version: '1.0.0', integrity: 'sha512-AAAA', spec: 'p' }
    await writeLock(file, [entry])
    expect(await readLock(file)).toEqual([entry])
    await writeFile(file, '{"lockfileVersion": 9, "plugins": {}}')
    await expect(readLock(file)).rejects.toThrow(file)
    await writeFile(file, '{not json')
    await expect(readLock(file)).rejects.toMatchObject({ code: 'PW_ERR_INPUT_FILE' })
  })
})
