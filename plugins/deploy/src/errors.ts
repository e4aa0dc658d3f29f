import { defineErrorCodes } from '@pipewright/plugin-api'

/** The deploy plugin's error codes, registered when the plugin loads (`docs/errors.md`). */
export const DEPLOY_ERRORS = defineErrorCodes({
  PW_ERR_DEPLOY_ARTIFACTS: { title: 'Release artifacts unusable', exit: 1, http: 400, fix: 'Deploy from a directory that exists (a build stage\'s output, e.g. `from: dist`), given as an absolute path to the agent.' },
  PW_ERR_DEPLOY_START: { title: 'Instance could not start', exit: 1, http: 500, fix: 'Check `target.with.command` and `cwd`: the command must exist in the release directory or on PATH.' },
})
