import { dockerPlugin } from './plugin.js'

export default dockerPlugin
export { dockerPlugin }
export { DOCKER_ERRORS } from './errors.js'
export { DOCKER_CLIENT, MAX_API_VERSION, MIN_API_VERSION, createDockerClient, parseDockerHost } from './client.js'
export type { DockerClient, DockerClientOptions } from './client.js'
export { BuildConfig, ContainerTargetConfig, DockerPluginConfig, ImageSizeConfig, PushConfig, RunConfig } from './schemas.js'
export { TARGET_LABELS, containerTarget } from './container-target.js'
export type { BuildRecord } from './build.js'
export type { PushRecord } from './push.js'
export type { ImageSizeEvidence } from './image-size.js'
export { BUILDER_ID, BUILD_TYPE, createProvenance } from './provenance.js'
export type { ProvenanceInput, ProvenanceStatement, ResourceDescriptor } from './provenance.js'
export { parseSize } from './size.js'
