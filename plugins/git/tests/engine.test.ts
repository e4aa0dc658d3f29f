import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEngine } from '@pipewright/core'
import gitPlugin from '../src/index.js'
import { startGitServer, type GitServer } from './helpers/git-server.js'
import { commit, git, initRepo, isolateGit, removeTempDirs, tempDir } from './helpers/repo.js'

isolateGit()

const PASSWORD = 'engine-t0ken-VALUE'
let server: GitServer
let author: string
let bare: string

beforeAll(async () => {
  const root = tempDir()
  bare = initRepo(join(root, 'svc.git'), { bare: true })
  author = initRepo()
  commit(author, 'feat: service', { 'services/api/index.ts': '1', 'web/index.html': '<p>', 'README.md': '#' })
  git(author, 'push', '-q', bare, 'main')
  server = await startGitServer(root, { username: 'ci', password: PASSWORD })
})
afterAll(async () => {
  await server?.close()
  removeTempDirs()
})

const pipeline = (url: string) => `
name: git-plugin-e2e
secrets: [GIT_TOKEN]
stages:
  checkout:
    uses: git/checkout
    with:
      repo: ${url}
      path: src
      credentials: { username: ci, password-secret: GIT_TOKEN }
  changes:
    needs: checkout
    uses: git/changes
    with:
      path: src
      filters:
        api: ["services/api/**"]
        web: ["web/**"]
  release:
    needs: changes
    uses: git/release
    with:
      path: src
      push: true
      credentials: { username: ci, password-secret: GIT_TOKEN }
  report:
    needs: [changes, release]
    run: echo "api=\${{ stages.changes.outputs.api }} web=\${{ stages.changes.outputs.web }} version=\${{ stages.release.outputs.version }} sha=\${{ stages.checkout.outputs.sha }}"
`

describe('the git plugin in a real engine run', () => {
  it('checks out over authenticated HTTP, detects changes against the previous run, releases and pushes a tag', async () => {
    const dir = tempDir()
    const file = join(dir, 'pipewright.yml')
    writeFileSync(file, pipeline(`${server.url}/svc.git`))
    const engine = createEngine({ plugins: [gitPlugin] })
    const lines: string[] = []
    engine.on('stage:log', (e) => lines.push(e.line))
    try {
      const first = await (await engine.run(file, { secrets: { GIT_TOKEN: PASSWORD } })).result
      expect(first.status, JSON.stringify(first.stages)).toBe('succeeded')
      const outputs = Object.fromEntries(first.stages.map((s) => [s.id, s.outputs]))
      expect(outputs.checkout?.sha).toBe(git(author, 'rev-parse', 'HEAD'))
      expect(outputs.changes?.api).toBe('true')
      expect(outputs.release).toMatchObject({ released: 'true', version: '0.1.0', tag: 'v0.1.0' })
      expect(git(bare, 'cat-file', '-t', 'refs/tags/v0.1.0')).toBe('tag')

      commit(author, 'fix(web): typo', { 'web/index.html': '<p>fixed' })
      git(author, 'push', '-q', bare, 'main')
      const second = await (await engine.run(file, { secrets: { GIT_TOKEN: PASSWORD } })).result
      expect(second.status, JSON.stringify(second.stages)).toBe('succeeded')
      const again = Object.fromEntries(second.stages.map((s) => [s.id, s.outputs]))
      expect(again.changes).toMatchObject({ api: 'false', web: 'true', files: '1' })
      expect(again.release).toMatchObject({ released: 'true', version: '0.1.1' })
      expect(lines.some((l) => l.includes('api=false web=true version=0.1.1'))).toBe(true)

      const stored = [lines.join('\n'), JSON.stringify([first, second]), readFileSync(join(dir, 'src/.git/config'), 'utf8')].join('\n')
      expect(stored).not.toContain(PASSWORD)
    } finally {
      await engine.close()
    }
  })
})
