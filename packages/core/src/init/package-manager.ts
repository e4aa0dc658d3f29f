import { execFile } from 'node:child_process'
import { tmpdir } from 'node:os'
import type { PackageManager, ProjectInfo } from './detect-project.js'

/** Asks for the version of a program on PATH; undefined when it is not installed. */
export type VersionProbe = (program: PackageManager) => Promise<string | undefined>

/** How the pipeline starts the project's package manager, and what init tells the user about it. */
export interface ManagerCommand {
  /** argv-free prefix of every package-manager command in the pipeline: `pnpm`, `npx --yes pnpm@9.1.0`. */
  prefix: string
  /** For the person running init: why the prefix is not the plain name, and what to install instead. */
  note?: string
}

/** `pnpm --version` etc., run outside the project so its own `packageManager` pin cannot interfere. */
export const probeVersion: VersionProbe = (program) =>
  new Promise((resolve) => {
    execFile(program, ['--version'], { cwd: tmpdir(), timeout: 15_000, env: { ...process.env, COREPACK_ENABLE_DOWNLOAD_PROMPT: '0' } }, (error, stdout) => {
      const version = /\d+\.\d+\.\d+\S*/.exec(String(stdout))?.[0]
      resolve(error || !version ? undefined : version)
    })
  })

/**
 * The command that runs the project's declared package manager. A pin (`"packageManager":
 * "pnpm@9.1.0"`) that the installed one does not match — or with none installed — runs the pinned
 * version through `npx --yes` (from the npm registry, with nothing to enable), and the note says
 * how to install it instead. npm is always there; yarn 2+ and bun cannot come through npx here,
 * so the note says what to install.
 */
export async function managerCommand(info: ProjectInfo, probe: VersionProbe = probeVersion): Promise<ManagerCommand> {
  const name = info.packageManager ?? 'npm'
  const pin = info.pinned?.name === name ? info.pinned.version : undefined
  if (name === 'npm') return { prefix: 'npm' }
  const installed = await probe(name)
  if (pin === undefined) {
    return installed ? { prefix: name } : { prefix: name, note: `${name} is not installed here: install it (${installHint(name)}) before \`pipewright run\`.` }
  }
  if (installed === pin) return { prefix: name }
  const found = installed ? `${name} ${installed} is installed` : `${name} is not installed`
  if (name === 'pnpm' || (name === 'yarn' && pin.startsWith('1.'))) {
    return {
      prefix: `npx --yes ${name}@${pin}`,
      note: `package.json pins ${name}@${pin} and ${found}: the pipeline runs it as \`npx --yes ${name}@${pin}\`. To use an installed one instead, run \`corepack enable\` (if it says "No compatible signature found", with COREPACK_INTEGRITY_KEYS=0) or \`npm i -g ${name}@${pin}\`, and write \`${name}\` in pipewright.yml.`,
    }
  }
  return { prefix: name, note: `package.json pins ${name}@${pin} and ${found}: install it (${installHint(name, pin)}) before \`pipewright run\`.` }
}

function installHint(name: PackageManager, version?: string): string {
  if (name === 'bun') return 'https://bun.sh'
  return `\`corepack enable\`, or \`npm i -g ${name === 'yarn' && version && !version.startsWith('1.') ? '@yarnpkg/cli-dist' : name}${version ? `@${version}` : ''}\``
}
