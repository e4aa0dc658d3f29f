import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, readdir, stat } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { PipewrightError, type DeploymentEventRecord } from '@pipewright/plugin-api'
import { interpolate } from '../expr/index.js'
import type { StageRun } from '../kernel/stage-run.js'
import type { DeploySpec } from '../pipeline/environment-schema.js'
import { confinePath } from '../security/paths.js'

/** What a deploy puts in: the files or image, and what the deployment record says about them. */
export interface ResolvedSource {
  source: { directory: string } | { image: string }
  record: NonNullable<DeploymentEventRecord['source']>
  artifactDigest?: string
  imageDigest?: string
}

async function fileDigest(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

async function listFiles(dir: string): Promise<string[]> {
  const files: string[] = []
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const full = join(d, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) files.push(full)
    }
  }
  await walk(dir)
  return files.map((f) => relative(dir, f).split('\\').join('/')).sort()
}

/** `sha256:` over every file of a directory (its relative path and content), in path order: equal trees, equal digests. */
export async function digestDirectory(dir: string): Promise<string> {
  const hash = createHash('sha256')
  for (const file of await listFiles(dir)) hash.update(`${file}\0${await fileDigest(join(dir, file))}\n`)
  return `sha256:${hash.digest('hex')}`
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() === true
}

function notFound(message: string, details: string): PipewrightError {
  return new PipewrightError('PW_ERR_DEPLOYMENT_FAILED', message, { details })
}

/** A stage's `from:`: the artifacts of a need (`build/dist`) or a path in the workspace. */
async function fromFiles(stage: StageRun, from: string): Promise<ResolvedSource> {
  const [first = '', ...rest] = from.split('/').filter((s) => s !== '' && s !== '.')
  const sub = rest.join('/')
  if (stage.node.needs.includes(first)) {
    const root = join(stage.session.input.scratch, 'artifacts', first.replace(/[^A-Za-z0-9_.=-]/g, '_'))
    const directory = sub ? await confinePath(root, sub, 'deploy.from') : root
    const files = (stage.needsArtifacts[first] ?? []).filter((a) => sub === '' || a.path === sub || a.path.startsWith(`${sub}/`))
    if (files.length === 0 || !(await isDirectory(directory))) {
      throw notFound(`deploy.from "${from}": stage ${first} stored no artifacts under ${sub || '.'}`, `Add the files to the \`artifacts:\` of stage ${first} (e.g. artifacts: [${sub || 'dist'}/**]).`)
    }
    return {
      source: { directory },
      record: { kind: 'artifacts', runId: stage.session.runId, stageId: first, path: sub, files: files.map(({ path, digest, size }) => ({ path, digest, size })) },
      artifactDigest: await digestDirectory(directory),
    }
  }
  const directory = await confinePath(stage.workspace, from, 'deploy.from')
  if (!(await isDirectory(directory))) throw notFound(`deploy.from "${from}" is not a directory (${directory})`, 'Point from: at the directory to deploy, or at <need>/<dir> for the artifacts of a stage it needs.')
  return { source: { directory }, record: { kind: 'directory', path: directory }, artifactDigest: await digestDirectory(directory) }
}

/** A version the environment ran before, from its deployment records: its image, or its artifacts put back. */
async function recorded(stage: StageRun, environment: string, version: string): Promise<ResolvedSource> {
  const { store } = stage.session.input
  const records = await store.listDeployments({ environment, version, outcome: ['succeeded', 'rolled-back'], limit: 20 })
  const found = records.find((r) => r.source !== undefined && r.kind === 'deploy')
  if (!found?.source) {
    throw notFound(`${environment} never ran ${version}: no deployment record of it with its files or image`, `Deploy it from a build (a deploy stage with from: or image:), or pick a version \`pipewright history ${environment}\` lists.`)
  }
  const source = found.source
  if (source.kind === 'image') return { source: { image: source.image }, record: source, ...(found.imageDigest ? { imageDigest: found.imageDigest } : {}) }
  if (source.kind === 'directory') {
    if (!(await isDirectory(source.path))) throw notFound(`${environment} ran ${version} from ${source.path}, which no longer exists`, 'Deploy it again from a build.')
    return { source: { directory: source.path }, record: source, artifactDigest: await digestDirectory(source.path) }
  }
  const root = join(stage.session.input.scratch, 'redeploy', found.id)
  await mkdir(root, { recursive: true })
  try {
    await stage.session.input.artifacts.materialize(source.files, root)
  } catch (error) {
    throw notFound(`The artifacts of ${version} (run ${source.runId}, stage ${source.stageId}) are no longer in the store: ${error instanceof Error ? error.message : String(error)}`, 'Deploy it again from a build.')
  }
  const directory = source.path ? join(root, source.path) : root
  return { source: { directory }, record: source, artifactDigest: await digestDirectory(directory) }
}

/** What a deploy stage puts into the environment: `image:`, `from:`, or a recorded version. */
export async function resolveDeploySource(stage: StageRun, deploy: DeploySpec, version: string): Promise<ResolvedSource> {
  if (deploy.image !== undefined) {
    const image = interpolate(deploy.image, stage.expr)
    if (image.trim() === '') throw notFound('deploy.image resolved to an empty string', 'Check the expression: the stage it reads may have been skipped.')
    return { source: { image }, record: { kind: 'image', image }, imageDigest: image }
  }
  if (deploy.from !== undefined) return fromFiles(stage, interpolate(deploy.from, stage.expr))
  return recorded(stage, deploy.environment, version)
}
