import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { watchPipeline, watchStateKey, type WatchOptions } from '../src/watch/watch.js'
import { startGitServer } from './helpers/git-server.js'
import { commit, git, gitAsync, initRepo, isolateGit, removeTempDirs, tempDir } from './helpers/repo.js'

isolateGit()
afterAll(removeTempDirs)

/** The state a real CLI would keep in its store, as a Map that survives "restarts" of the watcher. */
function memoryState() {
  const map = new Map<string, unknown>()
  const writes: unknown[] = []
  return {
    map,
    writes,
    get: async (key: string) => map.get(key),
    set: async (key: string, value: unknown) => {
      writes.push(structuredClone(value))
      map.set(key, structuredClone(value))
    },
  }
}

/**
 * Starts a watcher whose runCommit records shas; `onRun` decides what to do on each run (e.g.
 * make a new commit, or stop the watcher). Resolves when the watcher has stopped.
 */
async function watch(options: Partial<WatchOptions> & Pick<WatchOptions, 'repoDir' | 'state'>, onRun: (sha: string, ran: string[], stop: () => void) => void | Promise<void>) {
  const controller = new AbortController()
  const ran: string[] = []
  const lines: string[] = []
  await watchPipeline({
    branch: 'main',
    intervalMs: 20,
    signal: controller.signal,
    log: (line) => lines.push(line),
    runCommit: async (sha) => {
      ran.push(sha)
      await onRun(sha, ran, () => controller.abort())
      return { status: 'succeeded' }
    },
    ...options,
  })
  return { ran, lines }
}

describe('watchPipeline on a local branch', () => {
  it('runs the tip first, then every new commit oldest first, each once, and resumes after a restart', async () => {
    const repo = initRepo()
    commit(repo, 'one')
    const tip = commit(repo, 'two')
    const state = memoryState()
    let added: string[] = []

    const first = await watch({ repoDir: repo, state }, (_sha, ran, stop) => {
      if (ran.length === 1) added = [commit(repo, 'three'), commit(repo, 'four')]
      if (ran.length === 3) stop()
    })
    expect(first.ran).toEqual([tip, ...added])
    expect(state.map.get(watchStateKey('main'))).toMatchObject({ sha: added[1], status: 'succeeded' })

    // A restart: only commits made while nobody watched run.
    const offline = [commit(repo, 'five'), commit(repo, 'six')]
    const second = await watch({ repoDir: repo, state }, (_sha, ran, stop) => {
      if (ran.length === 2) stop()
    })
    expect(second.ran).toEqual(offline)
  })

  it('saves the position before a run so a crash mid-run never runs that commit again', async () => {
    const repo = initRepo()
    const tip = commit(repo, 'one')
    const state = memoryState()
    const crash = new AbortController()
    // The process "dies" during the run: runCommit never finishes, the watcher is abandoned.
    void watchPipeline({
      repoDir: repo,
      branch: 'main',
      intervalMs: 20,
      state,
      signal: crash.signal,
      log: () => undefined,
      runCommit: () => new Promise(() => undefined),
    })
    await expect.poll(() => state.map.get(watchStateKey('main'))).toMatchObject({ sha: tip, status: 'started' })

    const next = commit(repo, 'two')
    const restarted = await watch({ repoDir: repo, state }, (_sha, _ran, stop) => stop())
    expect(restarted.ran).toEqual([next])
    expect(restarted.lines.some((l) => l.includes(`${tip.slice(0, 7)} was started before a restart`))).toBe(true)
    crash.abort()
  })

  it('runs only the mainline commits of a --no-ff merge, oldest first: the merge stands for the merged work', async () => {
    const repo = initRepo()
    const tip = commit(repo, 'one')
    const state = memoryState()
    let mainline: string[] = []
    let side: string[] = []
    const { ran } = await watch({ repoDir: repo, state }, (_sha, ran, stop) => {
      if (ran.length === 1) {
        // Between two polls: a side branch of 3 commits, a mainline commit, then the merge.
        git(repo, 'checkout', '-q', '-b', 'feature')
        side = [commit(repo, 'side a'), commit(repo, 'side b'), commit(repo, 'side c')]
        git(repo, 'checkout', '-q', 'main')
        const before = commit(repo, 'mainline')
        git(repo, 'merge', '-q', '--no-ff', '-m', 'merge feature', 'feature')
        mainline = [before, git(repo, 'rev-parse', 'HEAD')]
      }
      if (ran.length === 3) stop()
    })
    expect(ran).toEqual([tip, ...mainline])
    expect(ran).not.toContain(side[0])
    expect(state.map.get(watchStateKey('main'))).toMatchObject({ sha: mainline[1], status: 'succeeded' })
  })

  it('keeps one position per key, so pipelines watching the same branch in one store do not share it', async () => {
    const repo = initRepo()
    const tip = commit(repo, 'one')
    const state = memoryState()
    // Stops after the tip ran, or (if the position were shared) after a few polls that run nothing.
    const watchAs = async (key: string) => {
      let gets = 0
      const controller = new AbortController()
      const counted = {
        get: async (k: string) => {
          if (++gets > 3) controller.abort()
          return state.get(k)
        },
        set: state.set,
      }
      return watch({ repoDir: repo, state: counted, key, signal: controller.signal }, () => controller.abort())
    }
    expect((await watchAs('deploy')).ran).toEqual([tip])
    expect((await watchAs('docs')).ran).toEqual([tip])
    expect(state.map.get(watchStateKey('main', 'deploy'))).toMatchObject({ sha: tip })
    expect(state.map.get(watchStateKey('main', 'docs'))).toMatchObject({ sha: tip })
    expect([...state.map.keys()].sort()).toEqual(['git.watch:main:deploy', 'git.watch:main:docs'])
    // Without a key the old shape stays, so existing positions are still found.
    expect(watchStateKey('main')).toBe('git.watch:main')
  })

  it('refuses a directory that is not a repository and a missing branch', async () => {
    const state = memoryState()
    await expect(watch({ repoDir: tempDir(), state }, () => undefined)).rejects.toMatchObject({ code: 'PW_ERR_GIT_REPOSITORY', message: expect.stringContaining('is not a git repository') })
    const repo = initRepo()
    commit(repo, 'x')
    await expect(watch({ repoDir: repo, state, branch: 'release' }, () => undefined)).rejects.toMatchObject({ message: expect.stringContaining('Branch "release" does not exist') })
  })
})

describe('watchPipeline with an upstream', () => {
  it('fetches the upstream over HTTP and runs the commits pushed there', async () => {
    const root = tempDir()
    const bare = initRepo(join(root, 'app.git'), { bare: true })
    const server = await startGitServer(root)
    try {
      const author = initRepo()
      const tip = commit(author, 'first')
      git(author, 'push', '-q', bare, 'main')
      const checkout = tempDir()
      await gitAsync(checkout, 'clone', '-q', `${server.url}/app.git`, '.')
      const state = memoryState()
      let pushed: string[] = []
      const { ran } = await watch({ repoDir: checkout, state }, (_sha, ran, stop) => {
        if (ran.length === 1) {
          pushed = [commit(author, 'second'), commit(author, 'third')]
          git(author, 'push', '-q', bare, 'main')
        }
        if (ran.length === 3) stop()
      })
      expect(ran).toEqual([tip, ...pushed])
      // The local branch itself is untouched: the watcher only reads the fetched upstream.
      expect(git(checkout, 'rev-parse', 'main')).toBe(tip)
    } finally {
      await server.close()
    }
  })
})
