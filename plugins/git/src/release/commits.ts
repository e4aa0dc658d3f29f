import { CommitParser } from 'conventional-commits-parser'
import type { GitRunner } from '../git.js'

export type BumpLevel = 'major' | 'minor' | 'patch'

/** One commit, read as a conventional commit (`type(scope)!: subject`). */
export interface ConventionalCommit {
  sha: string
  type?: string
  scope?: string
  subject: string
  breaking: boolean
  /** Text of `BREAKING CHANGE:` notes (or the subject for `!` headers). */
  breakingNotes: string[]
}

const parser = new CommitParser({
  headerPattern: /^(\w*)(?:\((.*)\))?!?: (.*)$/,
  breakingHeaderPattern: /^(\w*)(?:\((.*)\))?!: (.*)$/,
  headerCorrespondence: ['type', 'scope', 'subject'],
  noteKeywords: ['BREAKING CHANGE', 'BREAKING-CHANGE'],
})

/** Parses one raw commit message. Messages that are not conventional keep their first line as subject. */
export function parseCommit(sha: string, message: string): ConventionalCommit {
  const parsed = parser.parse(message)
  const notes = parsed.notes.filter((n) => /^BREAKING[ -]CHANGE$/i.test(n.title)).map((n) => n.text.trim())
  const header = message.split('\n')[0] ?? ''
  return {
    sha,
    type: parsed.type?.toLowerCase() || undefined,
    scope: parsed.scope || undefined,
    subject: parsed.subject ?? header,
    breaking: notes.length > 0,
    breakingNotes: notes,
  }
}

/** The bump a set of commits calls for: `!`/BREAKING CHANGE → major, feat → minor, fix/perf → patch. */
export function bumpLevel(commits: readonly ConventionalCommit[]): BumpLevel | undefined {
  if (commits.some((c) => c.breaking)) return 'major'
  if (commits.some((c) => c.type === 'feat')) return 'minor'
  if (commits.some((c) => c.type === 'fix' || c.type === 'perf')) return 'patch'
  return undefined
}

/** Commits after `since` (all when undefined) up to HEAD, oldest first, optionally only those touching `pathspec`. */
export async function readCommits(git: GitRunner, dir: string, since: string | undefined, pathspec?: string): Promise<ConventionalCommit[]> {
  const range = since ? `${since}..HEAD` : 'HEAD'
  const out = await git.run(
    ['--literal-pathspecs', 'log', '--no-merges', '--reverse', '--format=%H%x1f%B%x1e', range, '--', ...(pathspec ? [pathspec] : [])],
    { cwd: dir },
  )
  return out
    .split('\x1e')
    .map((entry) => entry.replace(/^\n+/, ''))
    .filter((entry) => entry.includes('\x1f'))
    .map((entry) => {
      const [sha = '', message = ''] = entry.split('\x1f')
      return parseCommit(sha.trim(), message.trim())
    })
}
