import { definePlugin } from '@pipewright/plugin-api'
import { runChanges } from './changes/run.js'
import { GIT_ERRORS } from './errors.js'
import { changesConfigSchema } from './changes/schema.js'
import { runCheckout } from './checkout/run.js'
import { checkoutConfigSchema } from './checkout/schema.js'
import { runRelease } from './release/run.js'
import { releaseConfigSchema } from './release/schema.js'

/** The `git` plugin: stage types `git/checkout`, `git/changes` and `git/release`. */
export const gitPlugin = definePlugin({
  id: 'git',
  apiVersion: 1,
  version: '0.1.0',
  description: 'Check out repositories, detect changed paths, and release semantic versions from conventional commits.',
  errors: GIT_ERRORS,
  register(api) {
    api.stage('checkout', {
      description: 'Clone or fetch a repository at a branch, tag or commit into the workspace.',
      configSchema: checkoutConfigSchema,
      outputs: ['sha', 'branch', 'message', 'author', 'path'],
      run: runCheckout,
    })
    api.stage('changes', {
      description: 'Which named path filters the files changed between two commits match.',
      configSchema: changesConfigSchema,
      outputs: ['<filter name>', 'files', 'base', 'head', 'changed'],
      run: runChanges,
    })
    api.stage('release', {
      description: 'Next semantic version from conventional commits: changelog, annotated tag, optional push.',
      configSchema: releaseConfigSchema,
      outputs: ['released', 'version', 'tag', 'changelog', 'previous-version', 'previous-tag'],
      run: runRelease,
    })
  },
})
