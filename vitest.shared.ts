import { defineProject, type UserWorkspaceConfig } from 'vitest/config'

// Sibling packages resolve to their sources (the "@pipewright/source" export condition),
// so tests never need a build first.
export function pipewrightProject(name: string, extra: UserWorkspaceConfig['test'] = {}) {
  return defineProject({
    resolve: { conditions: ['@pipewright/source'] },
    ssr: { resolve: { conditions: ['@pipewright/source'] } },
    test: {
      name,
      include: ['src/**/*.test.ts', 'tests/**/*.test.ts'],
      exclude: ['**/node_modules/**', '**/dist/**', '**/fixtures/**'],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      setupFiles: [new URL('./tools/vitest-setup.ts', import.meta.url).pathname],
      ...extra,
    },
  })
}
