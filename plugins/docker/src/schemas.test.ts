import { describe, expect, it } from 'vitest'
import { BuildConfig, ImageSizeConfig, PushConfig, RunConfig } from './schemas.js'

describe('stage configs', () => {
  it('fills build defaults', () => {
    expect(BuildConfig.parse({ tags: ['app:1'] })).toEqual({
      context: '.',
      dockerfile: 'Dockerfile',
      tags: ['app:1'],
      'build-args': {},
      labels: {},
      pull: false,
      network: 'none',
      'no-cache': false,
    })
  })

  it('reads push tags from a comma-separated output, and reports bad ones at `tags`', () => {
    expect(PushConfig.parse({ tags: '127.0.0.1:5000/app:1, app:latest' }).tags).toEqual(['127.0.0.1:5000/app:1', 'app:latest'])
    const result = PushConfig.safeParse({ tags: 'app:1,Bad Tag' })
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['tags', 'Not image references: Bad Tag (use name:tag, comma-separated)']])
  })

  it('parses run limits and rejects a relative workdir', () => {
    expect(RunConfig.parse({ image: 'app:1', memory: '256m', 'mount-workspace': '/src' })).toMatchObject({ memory: 256 * 1024 * 1024, 'mount-workspace': '/src', network: 'none' })
    expect(RunConfig.safeParse({ image: 'app:1', workdir: 'src', network: 'bridge' }).error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['network', 'workdir'])
  })

  it('parses the image-size limit', () => {
    expect(ImageSizeConfig.parse({ max: '50MB' }).max).toBe(50 * 1024 * 1024)
    expect(ImageSizeConfig.safeParse({ max: 'huge' }).success).toBe(false)
  })
})
