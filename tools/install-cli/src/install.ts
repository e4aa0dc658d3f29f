import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { packPackage } from '../../pack-test/src/pack.js'
import { listWorkspacePackages, REPO_ROOT, run } from '../../pack-test/src/workspace.js'
import { workspaceClosure } from './closure.js'

export const CLI_PACKAGE = '@pipewright/cli'

export interface InstalledCli {
  /** The `pipewright` command that was installed. */
  bin: string
  version: string
  /** Every package installed globally, for `npm uninstall -g …`. */
  packages: string[]
  /** Whether the directory of `bin` is on PATH. */
  onPath: boolean
}

/** Where `npm install -g` puts commands (honours npm_config_prefix like the install does). */
function globalBinDir(env: NodeJS.ProcessEnv): string {
  const prefix = execFileSync('npm', ['prefix', '-g'], { env, encoding: 'utf8' }).trim()
  return process.platform === 'win32' ? prefix : join(prefix, 'bin')
}

/**
 * Builds the CLI and every workspace package it needs, packs each with `pnpm pack` (the tarballs a
 * publish would upload) and installs them together with `npm install -g`: npm resolves the
 * @pipewright/* dependencies to the tarballs given, and only third-party ones from the registry.
 */
export async function installCli(say: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<InstalledCli> {
  const packages = workspaceClosure(listWorkspacePackages(), CLI_PACKAGE).filter((p) => !p.private)
  const names = packages.map((p) => p.name)
  say(`building ${CLI_PACKAGE} and the ${packages.length - 1} packages it needs (nx, cached)`)
  run(join(REPO_ROOT, 'node_modules/.bin/nx'), ['run-many', '-t', 'build', `--projects=${names.join(',')}`, '--output-style=static'], { cwd: REPO_ROOT, env })

  const dest = await mkdtemp(join(tmpdir(), 'pw-install-cli-'))
  try {
    say(`packing them with pnpm pack`)
    const tarballs: string[] = []
    for (const pkg of packages) tarballs.push((await packPackage(pkg, dest)).tarball)

    say('installing them with npm install -g (the first time compiles better-sqlite3: a minute or two)')
    // better-sqlite3 has no downloadable prebuilt binary here: it builds against Node's own headers.
    const nodedir = join(dirname(process.execPath), '..')
    const installEnv = { ...env, ...(env.npm_config_nodedir || !existsSync(join(nodedir, 'include/node/node.h')) ? {} : { npm_config_nodedir: nodedir }) }
    run('npm', ['install', '-g', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs], { cwd: dest, env: installEnv, timeoutMs: 900_000 })
  } finally {
    await rm(dest, { recursive: true, force: true })
  }

  const binDir = globalBinDir(env)
  const bin = join(binDir, process.platform === 'win32' ? 'pipewright.cmd' : 'pipewright')
  const version = run(bin, ['--version'], { cwd: tmpdir(), env }).trim()
  const onPath = (env.PATH ?? '').split(delimiter).includes(binDir)
  return { bin, version, packages: names, onPath }
}

/** What to tell the person who ran `npm run install-cli`. */
export function installedReport(installed: InstalledCli): string[] {
  const dir = dirname(installed.bin)
  return [
    `installed pipewright ${installed.version} at ${installed.bin}`,
    installed.onPath ? `  ${dir} is on your PATH: \`pipewright\` works in any directory.` : `  ${dir} is not on your PATH: add it (export PATH="${dir}:$PATH") or run ${installed.bin}.`,
    '',
    'Use it on your own project:',
    '  cd your-project && pipewright init && pipewright run',
    '',
    'Uninstall:',
    `  npm uninstall -g ${installed.packages.join(' ')}`,
  ]
}
