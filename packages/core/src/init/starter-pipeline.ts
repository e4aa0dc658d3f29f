import { Document, isMap, isScalar } from 'yaml'
import type { ProjectInfo } from './detect-project.js'
import type { ManagerCommand } from './package-manager.js'

/** The file `pipewright init` writes. */
export const STARTER_FILE_NAME = 'pipewright.yml'

type Stage = Record<string, unknown>

function installCommand(info: ProjectInfo, pm: string): string {
  const frozen = info.lockfile !== undefined
  switch (info.packageManager) {
    case 'pnpm':
      return frozen ? `${pm} install --frozen-lockfile` : `${pm} install`
    case 'yarn':
      if (!frozen) return `${pm} install`
      return info.yarnBerry ? `${pm} install --immutable` : `${pm} install --frozen-lockfile`
    case 'bun':
      return frozen ? `${pm} install --frozen-lockfile` : `${pm} install`
    default:
      // `npm ci` refuses to run without a lockfile.
      return frozen ? `${pm} ci` : `${pm} install`
  }
}

function scriptCommand(info: ProjectInfo, pm: string, script: string): string {
  return info.packageManager === 'yarn' ? `${pm} ${script}` : `${pm} run ${script}`
}

/** Why some stages have no `cache:`, written above them in the YAML. */
const NOTES: Record<string, string> = {
  install: ' Not cached: a cache hit would skip it without bringing node_modules back.',
  build: ' Not cached: package.json names no output directory (main/exports in dist/) to keep as artifacts.',
}

/**
 * Builds the starter pipeline for a detected project, as a seasoned user would write it: install,
 * then lint / typecheck / test side by side, then build once they pass. Checks run through the
 * plugins when the project uses their tools (linter/eslint with a linter/max-issues gate,
 * test-runner/vitest|jest|node), and every stage but install is cached on the lockfile and the
 * sources. Without a package.json: one placeholder stage to edit.
 */
export function starterPipeline(info: ProjectInfo, manager: ManagerCommand = { prefix: info.packageManager ?? 'npm' }): Record<string, unknown> {
  const stages: Record<string, Stage> = {}
  if (!info.hasPackageJson) {
    stages.hello = { run: 'echo "Replace this stage with your build, test and deploy steps"' }
    return { name: info.name, stages }
  }
  const pm = manager.prefix
  const cache = { inputs: info.sources }
  stages.install = { run: installCommand(info, pm) }
  const checks: string[] = []
  if (info.eslint) {
    stages.lint = { needs: 'install', uses: 'linter/eslint', cache, gates: [{ uses: 'linter/max-issues', with: { errors: 0 } }] }
    checks.push('lint')
  } else if (info.scripts.includes('lint')) {
    stages.lint = { needs: 'install', run: scriptCommand(info, pm, 'lint'), cache }
    checks.push('lint')
  }
  if (info.scripts.includes('typecheck')) {
    stages.typecheck = { needs: 'install', run: scriptCommand(info, pm, 'typecheck'), cache }
    checks.push('typecheck')
  }
  if (info.testRunner) {
    stages.test = { needs: 'install', uses: `test-runner/${info.testRunner}`, ...(info.coverage ? { with: { coverage: true } } : {}), cache }
    checks.push('test')
  } else if (info.scripts.includes('test')) {
    stages.test = { needs: 'install', run: scriptCommand(info, pm, 'test'), cache }
    checks.push('test')
  }
  if (info.scripts.includes('build')) {
    const build: Stage = { needs: checks.length > 0 ? checks : 'install', run: scriptCommand(info, pm, 'build') }
    // A cached build must bring its output back, so it is cached only when the output is known.
    if (info.buildOutput) Object.assign(build, { cache, artifacts: [`${info.buildOutput}/**`] })
    stages.build = build
  }
  return { name: info.name, stages }
}

/** Renders the starter pipeline as commented YAML, ready to write to `pipewright.yml`. */
export function renderStarterPipeline(info: ProjectInfo, manager?: ManagerCommand): string {
  const pipeline = starterPipeline(info, manager)
  // Each stage spells out its own cache inputs: no YAML anchors for a newcomer to decode.
  const doc = new Document(pipeline, { aliasDuplicateObjects: false })
  const found = info.hasPackageJson
    ? `Detected: ${info.packageManager}${info.lockfile ? ` (${info.lockfile})` : ''}; scripts: ${info.scripts.join(', ') || 'none'}${info.testRunner ? `; tests: ${info.testRunner === 'node' ? 'node:test' : info.testRunner}` : ''}${info.eslint ? '; eslint' : ''}.`
    : 'No package.json found: edit the placeholder stage.'
  doc.commentBefore = [
    ' Pipewright pipeline, written by `pipewright init`.',
    ` ${found}`,
    ' Stages with `cache:` are skipped while the lockfile and the sources they list are unchanged.',
    ' Check it with `pipewright validate`, see the graph with `pipewright graph`, run it with `pipewright run`.',
    ' Editor completion: `pipewright schema > pipewright.schema.json`.',
  ].join('\n')
  const stages = doc.get('stages', true)
  if (isMap(stages)) {
    for (const pair of stages.items) {
      const id = isScalar(pair.key) ? String(pair.key.value) : ''
      const stage = (pipeline.stages as Record<string, Stage>)[id]
      const note = id === 'install' ? NOTES.install : id === 'build' && stage && !stage.cache ? NOTES.build : undefined
      if (note && isScalar(pair.key)) pair.key.commentBefore = note
    }
  }
  return doc.toString({ lineWidth: 0 })
}
