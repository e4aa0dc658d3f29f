import { appendFile, mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { createEngine } from '../../src/engine/engine.js'
import { tempProject, type TempProject } from '../engine/helpers.js'

let project: TempProject | undefined
afterEach(async () => {
  await project?.cleanup()
  project = undefined
})

/** A real installed plugin package; it brands its plugin object itself, so it needs no imports. */
async function installPlugin(root: string, name: string, id: string, version = '1.2.3', dir = join(root, 'node_modules', name)): Promise<string> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', exports: { '.': './index.js' }, peerDependencies: { '@pipewright/plugin-api': '^0.1.0' } }))
  await writeFile(
    join(dir, 'index.js'),
    `export default Object.freeze({ id: '${id}', apiVersion: 1, [Symbol.for('pipewright.plugin')]: true,
      register(api) { api.stage('hello', { run(ctx) { ctx.logger.info('hello from ${id}') } }) } })\n`,
  )
  return dir
}

describe('plugin pinning (pipewright.lock)', () => {
  it('pins installed plugins on first use, refuses changed files until they are re-pinned', async () => {
    project = await tempProject('name: pins\nplugins: [pipewright-plugin-hello]\nstages:\n  hi: { uses: hello/hello }\n')
    const pkg = await installPlugin(project.dir, 'pipewright-plugin-hello', 'hello')
    const first = createEngine()
    expect((await (await first.run(project.file)).result).status).toBe('succeeded')
    const lock = JSON.parse(await readFile(join(project.dir, 'pipewright.lock'), 'utf8'))
    expect(lock.plugins['pipewright-plugin-hello']).toMatchObject({ name: 'pipewright-plugin-hello', version: '1.2.3', integrity: expect.stringMatching(/^sha512-/) })

    await appendFile(join(pkg, 'index.js'), '// tampered\n')
    const refused = await createEngine().load(project.file).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'PW_ERR_PLUGIN_INTEGRITY', message: expect.stringContaining('pipewright-plugin-hello: files differ') })
    expect((await createEngine().pinPlugins(project.file)).plugins).toEqual([{ name: 'pipewright-plugin-hello', version: '1.2.3', status: 'integrity' }])

    const updated = await createEngine().pinPlugins(project.file, { update: true })
    expect(updated.plugins).toEqual([{ name: 'pipewright-plugin-hello', version: '1.2.3', status: 'integrity' }])
    expect((await createEngine().pinPlugins(project.file)).plugins[0]?.status).toBe('pinned')
    await expect(createEngine().load(project.file)).resolves.toMatchObject({ spec: { name: 'pins' } })
  })

  it('never imports a tampered plugin: the pins are checked before its code runs (run, validate, resume)', async () => {
    // The run fails (no file "ok"), so it can be resumed after the plugin was tampered with.
    project = await tempProject('name: pins\nplugins: [pipewright-plugin-hello]\nstages:\n  hi: { uses: hello/hello }\n  after: { needs: [hi], run: test -f ok }\n')
    const pkg = await installPlugin(project.dir, 'pipewright-plugin-hello', 'hello')
    const engine = createEngine()
    const first = await (await engine.run(project.file)).result
    const marker = join(project.dir, 'PWNED')
    await writeFile(join(pkg, 'index.js'), `import { writeFileSync } from 'node:fs'\nwriteFileSync(${JSON.stringify(marker)}, 'ran')\n` + (await readFile(join(pkg, 'index.js'), 'utf8')))
    for (const attempt of [() => createEngine().load(project!.file), () => createEngine().validate(project!.file), () => createEngine({ store: engine.store }).resume(first.id)]) {
      const outcome = await attempt().then((v: unknown) => v, (e: unknown) => e)
      const problems = Array.isArray(outcome) ? outcome : [outcome]
      expect(JSON.stringify(problems.map((p) => (p as { code?: string }).code))).toContain('PW_ERR_PLUGIN_INTEGRITY')
      await expect(readFile(marker)).rejects.toThrow()
    }
  })

  it('refuses a silently upgraded version', async () => {
    project = await tempProject('name: pins\nplugins: [pipewright-plugin-hello]\nstages:\n  hi: { uses: hello/hello }\n')
    await installPlugin(project.dir, 'pipewright-plugin-hello', 'hello', '1.0.0')
    await createEngine().load(project.file)
    await installPlugin(project.dir, 'pipewright-plugin-hello', 'hello', '1.0.1')
    const refused = await createEngine().load(project.file).catch((e: unknown) => e)
    expect(refused).toMatchObject({ code: 'PW_ERR_PLUGIN_INTEGRITY', message: expect.stringContaining('pinned version 1.0.0, installed 1.0.1') })
  })

  it('does not pin a package linked from the workspace (the project’s own code)', async () => {
    project = await tempProject('name: pins\nplugins: [linked-plugin]\nstages:\n  hi: { uses: linked/hello }\n')
    const elsewhere = await mkdtemp(join(tmpdir(), 'pw-linked-'))
    const real = await installPlugin(elsewhere, 'linked-plugin', 'linked', '1.0.0', join(elsewhere, 'packages', 'linked-plugin'))
    await mkdir(join(project.dir, 'node_modules'), { recursive: true })
    await symlink(real, join(project.dir, 'node_modules', 'linked-plugin'))
    await createEngine().load(project.file)
    await expect(readFile(join(project.dir, 'pipewright.lock'))).rejects.toThrow()
  })
})
