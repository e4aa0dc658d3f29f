import type { StageContext } from '@pipewright/plugin-api'

/** Drops user, password and token from a remote URL; scp-style `git@host:path` stays as is. */
export function stripCredentials(remote: string): string {
  try {
    const url = new URL(remote)
    url.username = ''
    url.password = ''
    return url.toString()
  } catch {
    return remote
  }
}

/**
 * Where the sources came from: the `origin` remote without credentials, else the repository
 * directory (outside git: the workspace).
 */
export async function sourceLocation(ctx: StageContext): Promise<string> {
  const root = ctx.git?.root
  if (!root) return ctx.workspace
  try {
    const result = await ctx.exec(['git', '-C', root, 'remote', 'get-url', 'origin'], { log: false })
    const remote = result.stdout.trim()
    if (result.exitCode === 0 && remote) return stripCredentials(remote)
  } catch {
    // No git binary or no remote: the directory still says where the sources are.
  }
  return root
}
