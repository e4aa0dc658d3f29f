import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveHome } from '../src/index.js'

describe('resolveHome', () => {
  const pipelineDir = '/srv/project'

  it('prefers --home over PIPEWRIGHT_HOME over <pipelineDir>/.pipewright', () => {
    expect(resolveHome({ home: '/data/pw', env: { PIPEWRIGHT_HOME: '/env/pw' }, pipelineDir })).toBe('/data/pw')
    expect(resolveHome({ env: { PIPEWRIGHT_HOME: '/env/pw' }, pipelineDir })).toBe('/env/pw')
    expect(resolveHome({ env: {}, pipelineDir })).toBe(join(pipelineDir, '.pipewright'))
  })

  it('treats empty values as unset and resolves relative paths against the current directory', () => {
    expect(resolveHome({ home: '', env: { PIPEWRIGHT_HOME: ' ' }, pipelineDir })).toBe(join(pipelineDir, '.pipewright'))
    expect(resolveHome({ home: 'rel/home', env: {}, pipelineDir })).toBe(resolve('rel/home'))
    expect(resolveHome({ env: {}, pipelineDir: 'proj' })).toBe(resolve('proj', '.pipewright'))
  })

  it('reads process.env when no env is given', () => {
    const saved = process.env.PIPEWRIGHT_HOME
    process.env.PIPEWRIGHT_HOME = '/from/process/env'
    try {
      expect(resolveHome({ pipelineDir })).toBe('/from/process/env')
    } finally {
      if (saved === undefined) delete process.env.PIPEWRIGHT_HOME
      else process.env.PIPEWRIGHT_HOME = saved
    }
  })
})
