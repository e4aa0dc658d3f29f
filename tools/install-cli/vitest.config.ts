import { pipewrightProject } from '../../vitest.shared.ts'

// One real build + pack + npm install -g (better-sqlite3 compiles for a minute or two): generous timeouts.
export default pipewrightProject('install-cli', { testTimeout: 900_000, hookTimeout: 900_000 })
