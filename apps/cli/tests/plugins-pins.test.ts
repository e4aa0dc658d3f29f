import { appendFile, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { makeProject, removeProject, runCli } from './helpers/cli.js'

let cleanup: (() => Promise<void>) | undefined
afterEach(async () => {
  await cleanup?.()
  cleanup = undefined
})

async function projectWithPlugin(): Promise<{ dir: string; pkg: string }> {
  const dir = await makeProject()
  cleanup = () => removeProject(dir)
  const pkg = join(dir, 'node_modules', 'pipewright-plugin-hello')
  await mkdir(pkg, { recursive: true })
  await writeFile(join(pkg, 'package.json'), JSON.stringify({ name: 'pipewright-plugin-hello', version: '2.0.0', type: 'module', exports: './index.js' }))
  await writeFile(
    join(pkg, 'index.js'),
    "export default Object.freeze({ id: 'hello', apiVersion: 1, [Symbol.for('pipewright.plugin')]: true, register(api) { api.stage('greet', { run(ctx) { ctx.logger.info('hello') } }) } })\n",
  )
  await writeFile(join(dir, 'pipewright.yml'), 'name: pins\nplugins: [pipewright-plugin-hello]\nstages:\n  hi: { uses: hello/greet }\n')
  return { dir, pkg }
}

describe('pipewright plugins and pipewright.lock', () => {
  it('lists first-party and declared plugins with their pin status, refuses a tampered plugin, re-pins on update', async () => {
    const { dir, pkg } = await projectWithPlugin()
    const first = await runCli(['run'], { cwd: dir })
    expect(first.code).toBe(0)

    const listed = await runCli(['plugins'], { cwd: dir })
    expect(listed.code).toBe(0)
    expect(listed.stdout).toMatch(/hello\s+2\.0\.0\s+pipewright-plugin-hello\s+pinned/)
    expect(listed.stdout).toMatch(/git\s+.*first-party\s+built in/)

    await appendFile(join(pkg, 'index.js'), '// changed behind our back\n')
    const refused = await runCli(['run'], { cwd: dir })
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain('PW_ERR_PLUGIN_INTEGRITY')
    expect(refused.stderr).toContain('pipewright plugins update')
    const changed = await runCli(['plugins'], { cwd: dir })
    expect(changed.code).toBe(1)
    expect(changed.stdout).toContain('CHANGED files')

    const update = await runCli(['plugins', 'update'], { cwd: dir })
    expect(update.code).toBe(0)
    expect(update.stdout).toContain('pipewright-plugin-hello@2.0.0: re-pinned (files changed)')
    expect((await runCli(['run'], { cwd: dir })).code).toBe(0)
  })
})
