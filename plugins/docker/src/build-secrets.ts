import { PipewrightError, type SecretReader } from '@pipewright/plugin-api'

// Shorter values match too much to be a reliable signal here.
const MIN_SECRET_LENGTH = 3

/**
 * Refuses build args that carry a secret: the classic builder stores every build arg in the
 * image's history (`docker history` shows `NAME=value`), so pushing the image would publish it.
 * The message names the arg and the secret, never the value.
 */
export function refuseSecretBuildArgs(buildArgs: Readonly<Record<string, string>>, secrets: SecretReader, where: string): void {
  const named = secrets
    .names()
    .map((name) => ({ name, value: secrets.get(name) }))
    .filter((secret): secret is { name: string; value: string } => typeof secret.value === 'string' && secret.value.length >= MIN_SECRET_LENGTH)
  for (const [arg, value] of Object.entries(buildArgs)) {
    const secret = named.find((s) => value.includes(s.value))
    if (!secret) continue
    throw new PipewrightError('PW_ERR_DOCKER_BUILD', `${where}: build arg "${arg}" holds the value of secret "${secret.name}"; build args are stored in the image`, {
      details:
        'Build args end up in the image history (`docker history` shows them) and travel with every push, so they must not carry secrets. ' +
        'Pass the secret when the container runs instead, e.g. a docker/run stage with `env: { TOKEN: ${{ secrets.TOKEN }} }`, and fetch or use it there. ' +
        'BuildKit secrets (`RUN --mount=type=secret`) are not available: this plugin uses the classic builder.',
    })
  }
}
