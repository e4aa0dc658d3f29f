import { describe, expect, it } from 'vitest'
import { BUILDER_ID, BUILD_TYPE, createProvenance, repositoryOf, type ProvenanceInput } from './provenance.js'

const input: ProvenanceInput = {
  imageId: `sha256:${'a'.repeat(64)}`,
  tags: ['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000/team/app:latest', 'app:dev'],
  context: 'services/app',
  dockerfile: 'Dockerfile',
  dockerfileDigest: `sha256:${'b'.repeat(64)}`,
  buildArgs: { VERSION: '1.0' },
  target: 'runtime',
  networkMode: 'none',
  pull: false,
  noCache: false,
  apiVersion: '1.41',
  engineVersion: '20.10.24',
  source: 'https://git.example.test/team/app.git',
  sha: 'c'.repeat(40),
  ref: 'refs/heads/main',
  runId: 'run-1',
  stageId: 'build',
  startedOn: new Date('2026-01-02T03:04:05.000Z'),
  finishedOn: new Date('2026-01-02T03:04:09.000Z'),
}

describe('repositoryOf', () => {
  it.each([
    ['app:1', 'app'],
    ['app', 'app'],
    ['127.0.0.1:5000/team/app:1.0', '127.0.0.1:5000/team/app'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app'],
    [`app@sha256:${'d'.repeat(64)}`, 'app'],
  ])('%s → %s', (tag, repo) => {
    expect(repositoryOf(tag)).toBe(repo)
  })
})

describe('createProvenance', () => {
  it('describes the image, its parameters and its sources', () => {
    const statement = createProvenance(input)
    expect(statement.subject).toEqual([
      { name: '127.0.0.1:5000/team/app', digest: { sha256: 'a'.repeat(64) } },
      { name: 'app', digest: { sha256: 'a'.repeat(64) } },
    ])
    expect(statement.predicate.buildDefinition).toEqual({
      buildType: BUILD_TYPE,
      externalParameters: { context: 'services/app', dockerfile: 'Dockerfile', buildArgs: { VERSION: '1.0' }, target: 'runtime', tags: input.tags },
      internalParameters: { networkMode: 'none', pull: false, noCache: false, apiVersion: '1.41' },
      resolvedDependencies: [
        { uri: 'git+https://git.example.test/team/app.git@refs/heads/main', digest: { gitCommit: 'c'.repeat(40) } },
        { name: 'Dockerfile', digest: { sha256: 'b'.repeat(64) }, annotations: { role: 'dockerfile' } },
      ],
    })
    expect(statement.predicate.runDetails).toEqual({
      builder: { id: BUILDER_ID, version: { 'docker-engine': '20.10.24' } },
      metadata: { invocationId: 'run-1/build', startedOn: '2026-01-02T03:04:05.000Z', finishedOn: '2026-01-02T03:04:09.000Z' },
    })
  })

  it('names a local repository as a file URI and leaves git out without a commit', () => {
    expect(createProvenance({ ...input, source: '/work/app', ref: undefined }).predicate.buildDefinition.resolvedDependencies[0]!.uri).toBe('git+file:///work/app')
    const outsideGit = createProvenance({ ...input, sha: undefined })
    expect(outsideGit.predicate.buildDefinition.resolvedDependencies.map((d) => d.name ?? d.uri)).toEqual(['Dockerfile'])
  })
})
