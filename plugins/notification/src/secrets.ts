import { PipewrightError, type NotifierContext } from '@pipewright/plugin-api'

/** The value of a secret a config names; a missing one is PW_ERR_SECRET_MISSING naming the channel and field. */
export function readSecret(ctx: NotifierContext, name: string, where: string): string {
  const value = ctx.secrets.get(name)
  if (value === undefined || value === '') {
    throw new PipewrightError('PW_ERR_SECRET_MISSING', `${where} names the secret ${name}, which this run does not have`, {
      details: `Provide ${name}: set PIPEWRIGHT_SECRET_${name} in the environment or pass --secret-file with a ${name}=value line.`,
    })
  }
  return value
}
