import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import type { ConventionalCommit } from './commits.js'

const SECTIONS: Array<{ title: string; types: string[] }> = [
  { title: 'Features', types: ['feat'] },
  { title: 'Bug Fixes', types: ['fix'] },
  { title: 'Performance Improvements', types: ['perf'] },
]

function item(commit: ConventionalCommit, text = commit.subject): string {
  const scope = commit.scope ? `**${commit.scope}:** ` : ''
  return `- ${scope}${text.split('\n').join(' ')} (${commit.sha.slice(0, 7)})`
}

/** The Markdown section for one release: breaking changes first, then features, fixes, performance. */
export function renderChangelog(version: string, date: string, commits: readonly ConventionalCommit[]): string {
  const parts = [`## ${version} (${date})`]
  const breaking = commits.filter((c) => c.breaking)
  if (breaking.length > 0) {
    const lines = breaking.flatMap((c) => (c.breakingNotes.length > 0 && c.breakingNotes.some((n) => n) ? c.breakingNotes.map((n) => item(c, n)) : [item(c)]))
    parts.push(`### ⚠ BREAKING CHANGES\n\n${lines.join('\n')}`)
  }
  for (const section of SECTIONS) {
    const matching = commits.filter((c) => c.type !== undefined && section.types.includes(c.type))
    if (matching.length > 0) parts.push(`### ${section.title}\n\n${matching.map((c) => item(c)).join('\n')}`)
  }
  return `${parts.join('\n\n')}\n`
}

/**
 * Puts `section` at the top of a changelog file, below a leading `# Title` if it has one.
 * Returns false (and writes nothing) when the file already has a section for `version`, so a
 * retried stage does not add it twice.
 */
export function prependChangelog(file: string, section: string, version: string): boolean {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : ''
  if (current.split('\n').some((line) => line.startsWith(`## ${version} `))) return false
  const title = /^# .*\n+/.exec(current)
  const next = title
    ? `${title[0].trimEnd()}\n\n${section}\n${current.slice(title[0].length)}`
    : `${section}${current ? `\n${current}` : ''}`
  writeFileSync(file, next.endsWith('\n') ? next : `${next}\n`)
  return true
}
