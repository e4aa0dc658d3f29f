import { pipewrightProject } from '../../vitest.shared.ts'

// One real build + pack + npm install (better-sqlite3 compiles for ~80 s): generous timeouts.
export default pipewrightProject('pack-test', { testTimeout: 900_000, hookTimeout: 900_000 })
