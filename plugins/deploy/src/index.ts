import { deployPlugin } from './plugin.js'

export default deployPlugin
export { deployPlugin }
export { DEPLOY_ERRORS } from './errors.js'
export { ProcessTargetConfig } from './schemas.js'
export { stageRelease } from './release.js'
