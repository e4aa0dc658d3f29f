import { describe, expect, it } from 'vitest'
import { rerunArgs, withoutFileFilters } from './shared.js'

describe('rerunArgs', () => {
  it('keeps options with their values and replaces the file filters', () => {
    expect(rerunArgs(['--test-name-pattern', 'adds', 'test/'], ['test/a.test.js'])).toEqual(['--test-name-pattern', 'adds', 'test/a.test.js'])
    expect(rerunArgs(['--project', 'unit', 'src', 'test'], ['test/a.test.js'])).toEqual(['--project', 'unit', 'test/a.test.js'])
    expect(rerunArgs(['test/a.test.js', '--selectProjects', 'legacy'], ['test/b.test.js'])).toEqual(['--selectProjects', 'legacy', 'test/b.test.js'])
    expect(rerunArgs(['--project=unit', 'math'], ['test/math.test.js'])).toEqual(['--project=unit', 'test/math.test.js'])
  })

  it('keeps everything when the failing files are unknown', () => {
    expect(rerunArgs(['--project', 'unit', 'math'], undefined)).toEqual(['--project', 'unit', 'math'])
  })

  it('treats every argument after -- as a file filter', () => {
    expect(withoutFileFilters(['--bail', '--', '--odd-name.test.js', 'b.test.js'])).toEqual(['--bail', '--'])
  })
})
