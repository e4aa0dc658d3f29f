import { isAbsolute, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { PipewrightError } from '@pipewright/plugin-api'
import { classifyGitFailure, gitReason } from './git.js'

/** Where a repository lives, as git sees it and as people may be shown it. */
export interface RemoteSpec {
  /** What git is given: a URL or an absolute path, never with a password in it. */
  url: string
  /** Safe to print: the URL without credentials. */
  display: string
  kind: 'local' | 'http' | 'other'
}

/**
 * Classifies `repo` (a local path, `file://`, `http(s)://`, `ssh://` or `user@host:path`).
 * Relative local paths resolve against `baseDir`. Credentials inside the URL are refused: git
 * would store them in `.git/config` and they would show in logs. For http(s) that means any user
 * info (`user@` or `user:pass@`), since a token is often passed as the user name; ssh URLs keep
 * their user (`git@host:org/repo.git`), which is not a secret, but not a password.
 *
 * `where` names the place the URL came from in messages (e.g. `stages.checkout.with.repo`);
 * `fix` says how to take the credentials out of it there.
 */
export function resolveRemote(repo: string, baseDir: string, where = 'Repository URL', fix = 'Remove them from the URL'): RemoteSpec {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo)?.[1]?.toLowerCase()
  if (scheme) {
    let parsed: URL
    try {
      parsed = new URL(repo)
    } catch {
      // No `cause`: the parser's error carries the raw input, credentials included.
      throw new PipewrightError('PW_ERR_GIT_REMOTE', `${where}: invalid repository URL "${redactUnparsable(repo)}"`, { details: 'Use a local path, file://, http(s):// or ssh:// URL.' })
    }
    const http = scheme === 'http' || scheme === 'https'
    // The raw text is checked too: the URL parser drops an empty `@` and reads `\` as `/`.
    if (parsed.password || (http && (parsed.username || hasUserInfo(repo)))) {
      throw new PipewrightError('PW_ERR_GIT_REMOTE', `${where} (${redactUrl(repo)}) contains ${http ? 'user info (a user name or password)' : 'a password'}`, {
        details: `${fix} and set \`credentials: { username: <user>, password-secret: <SECRET_NAME> }\` so the password or token comes from a secret: credentials in a URL end up in .git/config and in logs.`,
      })
    }
    const kind = scheme === 'file' ? 'local' : http ? 'http' : 'other'
    return { url: repo, display: repo, kind }
  }
  if (/^[^/\\]+@[^/\\]+:/.test(repo)) return { url: repo, display: repo, kind: 'other' }
  const path = isAbsolute(repo) ? repo : resolve(baseDir, repo)
  return { url: path, display: path, kind: 'local' }
}

/** Whether the authority of `url` (between `://` and the first `/`, `?` or `#`) has an `@`. */
function hasUserInfo(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@/i.test(url)
}

/** A URL with its user info (up to the authority's last `@`) replaced by `***`, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
}

/** For a URL that does not parse, the authority's end is unknown: hide everything up to the last `@`. */
function redactUnparsable(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/).*@/is, '$1***@')
}

/** `file://` URL of a local path, which git treats like a remote (no hard links, honours --depth). */
export function localFileUrl(path: string): string {
  return pathToFileURL(path).href
}

/**
 * The error for a failed remote operation (ls-remote, fetch, push), worded by what the user has to
 * fix. Names the repository without credentials; `secretName` is named, never its value.
 */
export function remoteError(remote: RemoteSpec, operation: string, stderr: string, secretName?: string): PipewrightError {
  const reason = gitReason(stderr)
  switch (classifyGitFailure(stderr)) {
    case 'auth':
      return new PipewrightError('PW_ERR_GIT_AUTH', `Authentication to ${remote.display} failed during git ${operation}`, {
        details: secretName
          ? `Check that the secret "${secretName}" holds a valid password or token for this repository, and the username if the server needs one.`
          : 'The repository needs credentials: set `credentials: { username, password-secret: <SECRET_NAME> }` on the stage.',
      })
    case 'unreachable':
      return new PipewrightError('PW_ERR_GIT_REMOTE', `Cannot reach repository ${remote.display} during git ${operation}: ${reason}`, {
        details: 'Check the URL (host and port) and that the git server is running and reachable from this machine.',
      })
    case 'not-a-repository':
      return new PipewrightError('PW_ERR_GIT_REPOSITORY', `${remote.display} is not a git repository (git ${operation}): ${reason}`, {
        details: 'Check the `repo` path or URL: it must point at an existing git repository.',
      })
    default:
      return new PipewrightError('PW_ERR_GIT_COMMAND', `git ${operation} of ${remote.display} failed: ${reason}`, {
        details: 'Check the repository URL, the ref and the credentials; run the same git command by hand to investigate.',
      })
  }
}
