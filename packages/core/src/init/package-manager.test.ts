import { describe, expect, it } from 'vitest'
import type { ProjectInfo } from './detect-project.js'
import { managerCommand } from './package-manager.js'

const info = (extra: Partial<ProjectInfo>): ProjectInfo => ({ dir: '/p', name: 'p', hasPackageJson: true, scripts: [], eslint: false, coverage: false, sources: [], ...extra })
const probe = (versions: Record<string, string>) => async (name: string) => versions[name]

describe('managerCommand', () => {
  it('uses the installed package manager when it is the pinned version', async () => {
    expect(await managerCommand(info({ packageManager: 'pnpm', pinned: { name: 'pnpm', version: '12.4.2' } }), probe({ pnpm: '12.4.2' }))).toEqual({ prefix: 'pnpm' })
  })

  it('runs a pinned pnpm that is not installed through npx, and says how to install it instead', async () => {
    const missing = await managerCommand(info({ packageManager: 'pnpm', pinned: { name: 'pnpm', version: '9.1.0' } }), probe({}))
    expect(missing.prefix).toBe('npx --yes pnpm@9.1.0')
    expect(missing.note).toBe(
      'package.json pins pnpm@9.1.0 and pnpm is not installed: the pipeline runs it as `npx --yes pnpm@9.1.0`. To use an installed one instead, run `corepack enable` (if it says "No compatible signature found", with COREPACK_INTEGRITY_KEYS=0) or `npm i -g pnpm@9.1.0`, and write `pnpm` in pipewright.yml.',
    )
    const other = await managerCommand(info({ packageManager: 'pnpm', pinned: { name: 'pnpm', version: '9.1.0' } }), probe({ pnpm: '12.4.2' }))
    expect(other).toMatchObject({ prefix: 'npx --yes pnpm@9.1.0', note: expect.stringContaining('pnpm 12.4.2 is installed') })
  })

  it('says what to install for yarn 2+ and for a manager that is missing without a pin', async () => {
    const berry = await managerCommand(info({ packageManager: 'yarn', pinned: { name: 'yarn', version: '4.1.0' } }), probe({}))
    expect(berry).toEqual({ prefix: 'yarn', note: 'package.json pins yarn@4.1.0 and yarn is not installed: install it (`corepack enable`, or `npm i -g @yarnpkg/cli-dist@4.1.0`) before `pipewright run`.' })
    expect(await managerCommand(info({ packageManager: 'bun' }), probe({}))).toEqual({ prefix: 'bun', note: 'bun is not installed here: install it (https://bun.sh) before `pipewright run`.' })
    expect(await managerCommand(info({ packageManager: 'npm', pinned: { name: 'npm', version: '9.0.0' } }), probe({}))).toEqual({ prefix: 'npm' })
  })
})
