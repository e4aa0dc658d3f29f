import { gitPlugin } from './plugin.js'

export default gitPlugin
export { gitPlugin }
export { GIT_ERRORS } from './errors.js'

export { checkoutConfigSchema } from './checkout/schema.js'
export type { CheckoutConfig } from './checkout/schema.js'
export { changesConfigSchema } from './changes/schema.js'
export type { ChangesConfig } from './changes/schema.js'
export { releaseConfigSchema } from './release/schema.js'
export type { ReleaseConfig } from './release/schema.js'

export { readGitInfo } from './info.js'
export { matchFilters } from './changes/filters.js'
export type { FilterResult } from './changes/filters.js'
export { bumpLevel, parseCommit } from './release/commits.js'
export type { BumpLevel, ConventionalCommit } from './release/commits.js'
export { renderChangelog } from './release/changelog.js'
export { watchPipeline, watchStateKey } from './watch/watch.js'
export type { WatchOptions, WatchPosition, WatchState } from './watch/watch.js'
export { spawnExec } from './exec.js'
export type { GitExec } from './exec.js'
