import { definePlugin } from '@pipewright/plugin-api'
import { DEPLOY_ERRORS } from './errors.js'
import { processTarget } from './process-target.js'

/** The `deploy` plugin: deployment target `deploy/process`. */
export const deployPlugin = definePlugin({
  id: 'deploy',
  apiVersion: 1,
  version: '0.1.0',
  description: 'Deployment target deploy/process: local processes on 127.0.0.1 ports, from a build\'s artifact directory.',
  errors: DEPLOY_ERRORS,
  register(api) {
    api.target('process', processTarget)
  },
})
