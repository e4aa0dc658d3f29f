import { describe, expect, it } from 'vitest'
import { matchFilters } from './filters.js'

describe('matchFilters', () => {
  const files = ['services/api/src/index.ts', 'services/api/README.md', 'web/app.tsx', 'web/.eslintrc', 'docs/guide.md']

  it('matches globs per filter, dotfiles included', () => {
    const results = matchFilters(files, { api: ['services/api/**'], web: 'web/**', infra: ['deploy/**'] })
    expect(results).toEqual([
      { name: 'api', matched: ['services/api/src/index.ts', 'services/api/README.md'] },
      { name: 'web', matched: ['web/app.tsx', 'web/.eslintrc'] },
      { name: 'infra', matched: [] },
    ])
  })

  it('drops files a negated pattern of the same filter matches', () => {
    const [api] = matchFilters(files, { api: ['services/api/**', '!**/*.md'] })
    expect(api?.matched).toEqual(['services/api/src/index.ts'])
  })

  it('matches nothing with only negated patterns', () => {
    expect(matchFilters(files, { odd: ['!docs/**'] })[0]?.matched).toEqual([])
  })
})
