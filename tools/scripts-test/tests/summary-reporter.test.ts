import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '../../..')
const FIXTURE = resolve(import.meta.dirname, 'fixtures/skip-reasons')

describe('tools/vitest-summary-reporter.ts', () => {
  it('says once, before the closing line, how many tests were skipped for want of a Docker engine', () => {
    // Two test files, as the docker plugin has several: the reason is said once for the run.
    const r = spawnSync(process.execPath, [resolve(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', FIXTURE, '--config', resolve(FIXTURE, 'vitest.config.ts')], {
      cwd: FIXTURE,
      env: { ...process.env, CI: '', NO_COLOR: '1' },
      encoding: 'utf8',
    })
    expect(r.status).toBe(0)
    const lines = r.stdout.trimEnd().split('\n')
    expect(lines.slice(-2)).toEqual(['4 skipped (Docker engine not reachable: start it with bash tools/docker/up.sh)', '2 passed, 0 failed, 6 skipped'])
    expect(lines.at(-1)).toMatch(/^\d+ passed, \d+ failed(, \d+ skipped)?$/)
    expect(r.stdout.match(/Docker engine not reachable/g)).toHaveLength(1)
    expect(r.stderr).not.toContain('Docker')
  })
})
