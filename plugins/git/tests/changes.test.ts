import { afterAll, describe, expect, it } from 'vitest'
import { runChanges } from '../src/changes/run.js'
import { changesConfigSchema } from '../src/changes/schema.js'
import { createRecordBook, createStageContext, type RecordBook } from '@pipewright/testing'
import { commit, git, initRepo, isolateGit, removeTempDirs } from './helpers/repo.js'

isolateGit()
afterAll(removeTempDirs)

const filters = { api: ['services/api/**'], web: ['web/**'], docs: ['**/*.md', '!web/**'] }

async function changes(workspace: string, config: Record<string, unknown>, records: RecordBook = createRecordBook(), runId?: string) {
  const ctx = createStageContext({ workspace, stageId: 'changes', records, ...(runId ? { runId } : {}), redact: false })
  await runChanges(ctx, changesConfigSchema.parse({ filters, ...config }))
  return ctx.captured
}

function monorepo() {
  const repo = initRepo()
  const base = commit(repo, 'init', { 'services/api/index.ts': '1', 'web/app.tsx': '1', 'README.md': 'x' })
  return { repo, base }
}

describe('git/changes', () => {
  it('compares with an explicit base and sets one output per filter', async () => {
    const { repo, base } = monorepo()
    const head = commit(repo, 'api change', { 'services/api/index.ts': '2', 'services/api/NOTES.md': 'n' })
    const { outputs, summary } = await changes(repo, { base })
    expect(outputs).toEqual({ api: 'true', web: 'false', docs: 'true', files: '2', base, head, changed: '["api","docs"]' })
    expect(summary).toContain('2 files changed')
    expect(summary).toContain('web: no changes')
  })

  it('starts from the head recorded by the last successful run', async () => {
    const { repo, base } = monorepo()
    const records = createRecordBook()
    const first = await changes(repo, {}, records, 'r1')
    // First run on the default branch with no history: everything counts as changed.
    expect(first.outputs.base).toBe('')
    expect(first.outputs.files).toBe('3')
    records.finishRun('r1', 'succeeded')

    commit(repo, 'web change', { 'web/app.tsx': '2' })
    const second = await changes(repo, {}, records, 'r2')
    expect(second.outputs.web).toBe('true')
    expect(second.outputs.api).toBe('false')
    expect(second.outputs.files).toBe('1')
    records.finishRun('r2', 'failed')

    // A failed run's record is not a base: the next run still compares with r1's head.
    commit(repo, 'api change', { 'services/api/index.ts': '3' })
    const third = await changes(repo, {}, records, 'r3')
    expect(third.outputs.files).toBe('2')
    expect(third.outputs.web).toBe('true')
    expect(third.outputs.api).toBe('true')
    expect(third.outputs.base).toBe(base)
  })

  it('falls back to the merge base with the default branch on a feature branch', async () => {
    const { repo, base } = monorepo()
    git(repo, 'checkout', '-q', '-b', 'feature')
    commit(repo, 'feature work', { 'web/new.tsx': 'x' })
    git(repo, 'checkout', '-q', 'main')
    commit(repo, 'main moves on', { 'services/api/index.ts': 'later' })
    git(repo, 'checkout', '-q', 'feature')
    const { outputs, summary } = await changes(repo, {})
    expect(outputs.base).toBe(base)
    expect(outputs.web).toBe('true')
    expect(outputs.api).toBe('false')
    expect(summary).toContain('merge base with main')
  })

  it('rejects filter names that clash with its own outputs, and unknown bases', async () => {
    expect(changesConfigSchema.safeParse({ filters: { files: ['x/**'] } }).success).toBe(false)
    expect(changesConfigSchema.safeParse({ filters: { 'bad name': ['x/**'] } }).success).toBe(false)
    const { repo } = monorepo()
    await expect(changes(repo, { base: 'nope' })).rejects.toMatchObject({ code: 'PW_ERR_GIT_REF', message: expect.stringContaining('stages.changes.with.base "nope"') })
  })
})
