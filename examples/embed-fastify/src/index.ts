export { buildApp } from './app.js'
export type { AppOptions } from './app.js'
export { RunFeeds } from './run-feeds.js'
