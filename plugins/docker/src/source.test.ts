import { describe, expect, it } from 'vitest'
import { stripCredentials } from './source.js'

describe('stripCredentials', () => {
  it.each([
    ['https://ci-bot:tok3n@git.example.test/team/app.git', 'https://git.example.test/team/app.git'],
    ['https://x-access-token@github.com/o/r', 'https://github.com/o/r'],
    ['ssh://git@git.example.test:2222/team/app.git', 'ssh://git.example.test:2222/team/app.git'],
    ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
    ['/srv/git/app.git', '/srv/git/app.git'],
  ])('%s', (remote, expected) => {
    expect(stripCredentials(remote)).toBe(expected)
  })
})
