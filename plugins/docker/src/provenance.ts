/** Identifies this plugin as the SLSA builder (the trust boundary is the Pipewright run). */
export const BUILDER_ID = 'https://pipewright.dev/builders/plugin-docker@v1'
/** What `externalParameters` and `internalParameters` mean: a classic-builder `docker/build`. */
export const BUILD_TYPE = 'https://pipewright.dev/buildtypes/docker-build@v1'

export interface ResourceDescriptor {
  uri?: string
  name?: string
  digest: Record<string, string>
  annotations?: Record<string, string>
}

/** An in-toto Statement v1 carrying a SLSA Provenance v1 predicate. */
export interface ProvenanceStatement {
  _type: 'https://in-toto.io/Statement/v1'
  subject: ResourceDescriptor[]
  predicateType: 'https://slsa.dev/provenance/v1'
  predicate: {
    buildDefinition: {
      buildType: string
      externalParameters: {
        context: string
        dockerfile: string
        buildArgs: Record<string, string>
        target?: string
        tags: string[]
      }
      internalParameters: { networkMode: string; pull: boolean; noCache: boolean; apiVersion: string }
      resolvedDependencies: ResourceDescriptor[]
    }
    runDetails: {
      builder: { id: string; version?: Record<string, string> }
      metadata: { invocationId: string; startedOn: string; finishedOn: string }
    }
  }
}

export interface ProvenanceInput {
  imageId: string
  tags: string[]
  context: string
  /** Dockerfile path as configured (relative to the context). */
  dockerfile: string
  dockerfileDigest: string
  buildArgs: Record<string, string>
  target?: string
  networkMode: string
  pull: boolean
  noCache: boolean
  apiVersion: string
  engineVersion?: string
  /** Remote URL (credentials stripped) or directory of the sources. */
  source: string
  sha?: string
  ref?: string
  runId: string
  stageId: string
  startedOn: Date
  finishedOn: Date
}

/** `registry/team/app:1.0` → `registry/team/app`; a port colon is not a tag separator. */
export function repositoryOf(tag: string): string {
  const withoutDigest = tag.split('@')[0] ?? tag
  const slash = withoutDigest.lastIndexOf('/')
  const colon = withoutDigest.lastIndexOf(':')
  return colon > slash ? withoutDigest.slice(0, colon) : withoutDigest
}

function hexOf(digest: string): string {
  return digest.replace(/^sha256:/, '')
}

/** Builds the provenance statement for one built image. */
export function createProvenance(input: ProvenanceInput): ProvenanceStatement {
  const repositories = [...new Set(input.tags.map(repositoryOf))]
  const dependencies: ResourceDescriptor[] = []
  if (input.sha) {
    const uri = input.source.includes('://') || input.source.includes('@') ? `git+${input.source}` : `git+file://${input.source}`
    dependencies.push({ uri: input.ref ? `${uri}@${input.ref}` : uri, digest: { gitCommit: input.sha } })
  }
  dependencies.push({ name: input.dockerfile, digest: { sha256: hexOf(input.dockerfileDigest) }, annotations: { role: 'dockerfile' } })

  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: repositories.map((name) => ({ name, digest: { sha256: hexOf(input.imageId) } })),
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: {
          context: input.context,
          dockerfile: input.dockerfile,
          buildArgs: input.buildArgs,
          ...(input.target ? { target: input.target } : {}),
          tags: input.tags,
        },
        internalParameters: { networkMode: input.networkMode, pull: input.pull, noCache: input.noCache, apiVersion: input.apiVersion },
        resolvedDependencies: dependencies,
      },
      runDetails: {
        builder: { id: BUILDER_ID, ...(input.engineVersion ? { version: { 'docker-engine': input.engineVersion } } : {}) },
        metadata: {
          invocationId: `${input.runId}/${input.stageId}`,
          startedOn: input.startedOn.toISOString(),
          finishedOn: input.finishedOn.toISOString(),
        },
      },
    },
  }
}
