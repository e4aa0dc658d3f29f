import { describe, expect, it } from 'vitest'
import { renderChangelog } from './changelog.js'
import { bumpLevel, parseCommit } from './commits.js'

describe('parseCommit', () => {
  it('reads type, scope and subject', () => {
    expect(parseCommit('a'.repeat(40), 'feat(api): add users endpoint')).toMatchObject({ type: 'feat', scope: 'api', subject: 'add users endpoint', breaking: false })
  })

  it('treats ! and BREAKING CHANGE notes as breaking', () => {
    expect(parseCommit('a', 'refactor!: drop node 18').breaking).toBe(true)
    const noted = parseCommit('b', 'fix: rename flag\n\nBREAKING CHANGE: --old is now --new')
    expect(noted).toMatchObject({ type: 'fix', breaking: true, breakingNotes: ['--old is now --new'] })
  })

  it('keeps non-conventional messages as a subject without type', () => {
    expect(parseCommit('c', 'Update readme\n\nmore')).toMatchObject({ type: undefined, subject: 'Update readme', breaking: false })
  })
})

describe('bumpLevel', () => {
  const c = (message: string) => parseCommit('d', message)
  it('takes the highest bump any commit asks for', () => {
    expect(bumpLevel([c('chore: deps'), c('docs: typo')])).toBeUndefined()
    expect(bumpLevel([c('chore: deps'), c('perf: faster')])).toBe('patch')
    expect(bumpLevel([c('fix: a'), c('feat: b')])).toBe('minor')
    expect(bumpLevel([c('feat: b'), c('fix(x)!: c')])).toBe('major')
  })
})

describe('renderChangelog', () => {
  it('lists breaking changes, features, fixes and performance, with short shas', () => {
    const commits = [
      parseCommit('1111111aaaa', 'feat(api): users'),
      parseCommit('2222222bbbb', 'fix: crash on empty input'),
      parseCommit('3333333cccc', 'chore: ignored'),
      parseCommit('4444444dddd', 'feat!: new config format'),
    ]
    expect(renderChangelog('2.0.0', '2024-05-01', commits)).toBe(
      [
        '## 2.0.0 (2024-05-01)',
        '',
        '### ⚠ BREAKING CHANGES',
        '',
        '- new config format (4444444)',
        '',
        '### Features',
        '',
        '- **api:** users (1111111)',
        '- new config format (4444444)',
        '',
        '### Bug Fixes',
        '',
        '- crash on empty input (2222222)',
        '',
      ].join('\n'),
    )
  })
})
