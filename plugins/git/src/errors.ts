import { defineErrorCodes } from '@pipewright/plugin-api'

/** The git plugin's error codes, registered when the plugin loads (`docs/errors.md`). */
export const GIT_ERRORS = defineErrorCodes({
  PW_ERR_GIT_COMMAND: { title: 'git command failed', exit: 1, http: 500, fix: 'Install git (2.31 or newer) and see the message for what it reported.' },
  PW_ERR_GIT_REMOTE: { title: 'Repository unreachable or invalid', exit: 1, http: 502, fix: 'Check the repository URL (a path, file://, http(s):// or ssh://, without user info) and that it is reachable.' },
  PW_ERR_GIT_AUTH: { title: 'Repository authentication failed', exit: 1, http: 401, fix: 'Check `credentials.username` and the value of the secret named by `credentials.password-secret`.' },
  PW_ERR_GIT_REPOSITORY: { title: 'Not a git repository', exit: 1, http: 400, fix: 'Point the stage at a git checkout (or a repository URL) with at least one commit.' },
  PW_ERR_GIT_REF: { title: 'Ref not found', exit: 1, http: 404, fix: 'Check the branch, tag or commit: `git ls-remote <repo>` lists what the repository has.' },
  PW_ERR_GIT_WORKDIR: { title: 'Checkout directory in use', exit: 1, http: 409, fix: 'Use an empty `path:`, or one that already holds a checkout of the same repository.' },
})
