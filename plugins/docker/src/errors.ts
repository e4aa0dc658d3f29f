import { defineErrorCodes } from '@pipewright/plugin-api'

/** The docker plugin's error codes, registered when the plugin loads (`docs/errors.md`). */
export const DOCKER_ERRORS = defineErrorCodes({
  PW_ERR_DOCKER_ENGINE: { title: 'Docker engine unusable', exit: 1, http: 502, fix: 'Check that a Docker engine is reachable (DOCKER_HOST, or the plugin option `host`) and speaks API 1.41 or newer.' },
  PW_ERR_DOCKER_BUILD: { title: 'Image build failed', exit: 1, http: 500, fix: 'See the failing build step and its output in the stage log.' },
  PW_ERR_DOCKER_IMAGE: { title: 'Image not available', exit: 1, http: 404, fix: 'Build the image in an earlier stage (docker/build) or name one that is on the engine; nothing is pulled implicitly.' },
  PW_ERR_DOCKER_PUSH: { title: 'Image push failed', exit: 1, http: 502, fix: 'Check that the registry is reachable from the engine and that the tag exists.' },
  PW_ERR_DOCKER_AUTH: { title: 'Registry authentication failed', exit: 1, http: 401, fix: 'Set `with.credentials: { username, password-secret }` and check the secret\'s value.' },
})
