import { execFileSync } from 'node:child_process'
import { runPipeline, type PipelineRun } from '@pipewright/testing'
import { afterAll, describe, expect, it } from 'vitest'
import dockerPlugin from '../src/index.js'
import type { ProvenanceStatement } from '../src/provenance.js'
import { dockerTestEnv, needsDocker, removeImages, uniqueName } from './helpers/docker-env.js'

const env = await dockerTestEnv()

describe('a real pipeline through the engine: build → run → push', needsDocker(env), () => {
  const name = uniqueName('pipeline')
  const runs: PipelineRun[] = []

  afterAll(async () => {
    await removeImages(env!, [`${name}:1`, `${env!.registry}/${name}:1`, `${env!.authRegistry}/${name}:1`])
    await Promise.all(runs.map((run) => run.cleanup()))
  })

  it('builds, gates, runs and pushes with expressions, secrets and records', async () => {
    const run = await runPipeline({
      git: true,
      env: { DOCKER_HOST: env!.dockerHost },
      secrets: { REGISTRY_PASSWORD: env!.password },
      plugins: [dockerPlugin],
      files: {
        Dockerfile: 'FROM local/busybox:latest\nARG VERSION\nRUN echo "version $VERSION" > /version.txt\n',
      },
      pipeline: {
        name: 'docker-e2e',
        secrets: ['REGISTRY_PASSWORD'],
        stages: {
          build: {
            uses: 'docker/build',
            with: { tags: [`${name}:1`], 'build-args': { VERSION: '1.2.3' } },
            gates: [{ uses: 'docker/image-size', with: { max: '50MB' } }],
          },
          smoke: {
            needs: 'build',
            uses: 'docker/run',
            with: { image: "${{ stages.build.outputs['image-id'] }}", command: 'cat /version.txt' },
          },
          // No tags: the ones the `build` stage recorded.
          mirror: { needs: 'build', uses: 'docker/push', with: { registry: env!.registry } },
          publish: {
            needs: ['build', 'smoke'],
            uses: 'docker/push',
            with: {
              tags: '${{ stages.build.outputs.tags }}',
              registry: env!.authRegistry,
              credentials: { username: env!.user, 'password-secret': 'REGISTRY_PASSWORD' },
            },
          },
        },
      },
    })
    runs.push(run)

    expect(run.result.status).toBe('succeeded')
    const imageId = run.stage('build').outputs['image-id']!
    expect(imageId).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(run.gates('build')).toEqual([
      expect.objectContaining({ gate: 'docker/image-size', verdict: 'pass', evidence: expect.objectContaining({ image: imageId, max: 50 * 1024 * 1024 }) }),
    ])
    expect(run.logs('smoke')).toContain('version 1.2.3')
    expect(run.stage('mirror').outputs.refs).toBe(`${env!.registry}/${name}:1`)
    const digest = run.stage('publish').outputs.digest!
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)

    const authorization = `Basic ${Buffer.from(`${env!.user}:${env!.password}`).toString('base64')}`
    const manifest = await fetch(`http://${env!.authRegistry}/v2/${name}/manifests/1`, {
      method: 'HEAD',
      headers: { authorization, accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    })
    expect(manifest.headers.get('docker-content-digest')).toBe(digest)

    const artifacts = await run.store.listArtifacts(run.result.id)
    expect(artifacts.map((a) => a.path)).toContain(`provenance/${name}.intoto.json`)
    const [record] = await run.store.findRecords({ pipeline: 'docker-e2e', kind: 'docker.provenance', runId: run.result.id })
    const statement = record!.data as ProvenanceStatement
    const sha = execFileSync('git', ['-C', run.dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
    expect(statement.subject[0]!.digest.sha256).toBe(imageId.slice('sha256:'.length))
    expect(statement.predicate.buildDefinition.resolvedDependencies[0]!.digest.gitCommit).toBe(sha)
    const allLogs = ['build', 'smoke', 'publish'].flatMap((id) => run.logs(id)).join('\n')
    expect(allLogs).not.toContain(env!.password)
  })
})
