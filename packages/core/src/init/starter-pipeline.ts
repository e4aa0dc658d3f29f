import { Document } from 'yaml'
import type { PackageManager, ProjectInfo } from './detect-project.js'

/** The file `pipewright init` writes. */
export const STARTER_FILE_NAME = 'pipewright.yml'

function installCommand(info: ProjectInfo): string {
  const frozen = info.lockfile !== undefined
  switch (info.packageManager) {
    case 'pnpm':
      return frozen ? 'pnpm install --frozen-lockfile' : 'pnpm install'
    case 'yarn':
      if (!frozen) return 'yarn install'
      return info.yarnBerry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile'
    case 'bun':
      return frozen ? 'bun install --frozen-lockfile' : 'bun install'
    default:
      // `npm ci` refuses to run without a lockfile.
      return frozen ? 'npm ci' : 'npm install'
  }
}

function scriptCommand(manager: PackageManager | undefined, script: string): string {
  if (manager === 'yarn') return `yarn ${script}`
  return `${manager ?? 'npm'} run ${script}`
}

/**
 * Builds the starter pipeline for a detected project: install, then lint/typecheck/test side
 * by side, then build once they pass. Without a package.json: one placeholder stage to edit.
 */
export function starterPipeline(info: ProjectInfo): Record<string, unknown> {
  const stages: Record<string, Record<string, unknown>> = {}
  if (!info.hasPackageJson) {
    stages.hello = { run: 'echo "Replace this stage with your build, test and deploy steps"' }
    return { name: info.name, stages }
  }
  stages.install = { run: installCommand(info) }
  const checks = info.scripts.filter((s) => s !== 'build')
  for (const script of checks) stages[script] = { needs: 'install', run: scriptCommand(info.packageManager, script) }
  if (info.scripts.includes('build')) {
    stages.build = { needs: checks.length > 0 ? checks : 'install', run: scriptCommand(info.packageManager, 'build') }
  }
  return { name: info.name, stages }
}

/** Renders the starter pipeline as commented YAML, ready to write to `pipewright.yml`. */
export function renderStarterPipeline(info: ProjectInfo): string {
  const doc = new Document(starterPipeline(info))
  const found = info.hasPackageJson
    ? `Detected: ${info.packageManager}${info.lockfile ? ` (${info.lockfile})` : ''}; scripts: ${info.scripts.join(', ') || 'none'}.`
    : 'No package.json found: edit the placeholder stage.'
  doc.commentBefore = [
    ' Pipewright pipeline, written by `pipewright init`.',
    ` ${found}`,
    ' Check it with `pipewright validate`, run it with `pipewright run`.',
    ' Editor completion: `pipewright schema > pipewright.schema.json`.',
  ].join('\n')
  return doc.toString({ lineWidth: 0 })
}
