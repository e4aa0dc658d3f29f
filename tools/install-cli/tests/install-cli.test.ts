import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../pack-test/src/workspace.js'

// `npm run install-cli` for real, into a temporary npm prefix instead of the machine's global one:
// build, pnpm pack, npm install -g of the tarballs (better-sqlite3 compiles), then the installed
// command on a project outside the repository. Slow by nature: one install for the whole file.

const CLI_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string }).version
let prefix: string
let project: string
let install: { status: number | null; stdout: string; stderr: string }

/** The machine's environment without CI/colour settings of the test run, with the temp prefix. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const vars: NodeJS.ProcessEnv = { ...process.env, npm_config_prefix: prefix, NO_COLOR: '1', ...extra }
  for (const key of Object.keys(vars)) if (key.startsWith('PIPEWRIGHT_') || key.startsWith('npm_lifecycle') || key === 'npm_package_json') delete vars[key]
  return vars
}

beforeAll(async () => {
  prefix = await mkdtemp(join(tmpdir(), 'pw-prefix-'))
  project = await mkdtemp(join(tmpdir(), 'pw-own-project-'))
  install = spawnSync('npm', ['run', 'install-cli'], { cwd: REPO_ROOT, env: env(), encoding: 'utf8', timeout: 900_000 })
})
afterAll(async () => {
  for (const dir of [prefix, project]) if (dir) await rm(dir, { recursive: true, force: true })
})

describe('npm run install-cli', () => {
  it('installs pipewright from packed tarballs and says where it is and how to uninstall it', () => {
    expect(install.status, `${install.stdout}\n${install.stderr}`).toBe(0)
    const bin = join(prefix, 'bin', 'pipewright')
    expect(install.stdout).toContain(`installed pipewright ${CLI_VERSION} at ${bin}`)
    expect(install.stdout).toContain('cd your-project && pipewright init && pipewright run')
    expect(install.stdout).toMatch(/^ {2}npm uninstall -g @pipewright\/cli .*@pipewright\/core/m)
    // Not the repository's build: the installed copy, with its dependencies under the prefix.
    expect(existsSync(join(prefix, 'lib/node_modules/@pipewright/cli/dist/bin.js'))).toBe(true)
    expect(execFileSync(bin, ['--version'], { cwd: project, env: env(), encoding: 'utf8' }).trim()).toBe(CLI_VERSION)
  })

  it('the installed command runs a pipeline in a project outside the repository, with the SQLite store', async () => {
    await writeFile(join(project, 'pipewright.yml'), 'name: own\nstages:\n  hello:\n    run: echo "hello from my project"\n  after:\n    needs: hello\n    run: echo done\n')
    const bin = join(prefix, 'bin', 'pipewright')
    const r = spawnSync(bin, ['run'], { cwd: project, env: env({ CI: 'true' }), encoding: 'utf8' })
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('hello │ hello from my project')
    expect(r.stdout).toMatch(/^✓ own succeeded in /m)
    expect(existsSync(join(project, '.pipewright/pipewright.db'))).toBe(true)
  })

  it('the printed uninstall command removes it', () => {
    const command = /^ {2}(npm uninstall -g .+)$/m.exec(install.stdout)?.[1]
    expect(command).toBeDefined()
    const [npm, ...args] = command!.split(' ')
    execFileSync(npm!, args, { cwd: project, env: env(), stdio: 'pipe' })
    expect(existsSync(join(prefix, 'bin', 'pipewright'))).toBe(false)
    // npm may leave the empty scope directory behind; no package stays.
    const left = existsSync(join(prefix, 'lib/node_modules/@pipewright')) ? readdirSync(join(prefix, 'lib/node_modules/@pipewright')) : []
    expect(left).toEqual([])
    expect(existsSync(join(prefix, 'lib/node_modules/create-pipewright-plugin'))).toBe(false)
  })
})
