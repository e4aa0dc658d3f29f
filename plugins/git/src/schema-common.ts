import { z } from '@pipewright/plugin-api'

/** A value passed to git as an argument: a leading `-` would be read as an option. */
export const gitArgSchema = z
  .string()
  .min(1)
  .refine((v) => !v.startsWith('-'), { message: 'Must not start with "-"' })
  .refine((v) => !/[\s\x00-\x1f\x7f]/.test(v), { message: 'Must not contain whitespace or control characters' })

/** `credentials:` — HTTP(S) Basic auth whose password (or token) comes from a secret. */
export const credentialsSchema = z.strictObject({
  /** Username sent with the password; default `git` (most token-based servers ignore it). */
  username: z.string().min(1).optional(),
  /** Name of the secret holding the password or token. */
  'password-secret': z.string().min(1),
})
