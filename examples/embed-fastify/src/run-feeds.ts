import type { Engine } from '@pipewright/core'
import type { PipewrightEvent } from '@pipewright/plugin-api'

interface Feed {
  events: PipewrightEvent[]
  followers: Set<(event: PipewrightEvent) => void>
  done: boolean
}

/**
 * Keeps the events of the most recent runs in memory, so a client that connects late still gets
 * a run's events from its first one, then follows it live until `run:finished`.
 */
export class RunFeeds {
  private readonly feeds = new Map<string, Feed>()

  constructor(engine: Engine, private readonly keep = 100) {
    // Every event, plugins' own included.
    engine.onAny((type, payload) => {
      if ((payload as { runId?: unknown } | null)?.runId !== undefined) this.push({ type, payload } as PipewrightEvent)
    })
  }

  has(runId: string): boolean {
    return this.feeds.has(runId)
  }

  /** Calls `onEvent` for every event so far and every later one; `onEnd` after `run:finished`. Returns an unsubscribe. */
  follow(runId: string, onEvent: (event: PipewrightEvent) => void, onEnd: () => void): () => void {
    const feed = this.feed(runId)
    for (const event of feed.events) onEvent(event)
    if (feed.done) {
      onEnd()
      return () => {}
    }
    const follower = (event: PipewrightEvent) => {
      onEvent(event)
      if (event.type === 'run:finished') {
        feed.followers.delete(follower)
        onEnd()
      }
    }
    feed.followers.add(follower)
    return () => feed.followers.delete(follower)
  }

  private push(event: PipewrightEvent): void {
    const feed = this.feed(event.payload.runId)
    feed.events.push(event)
    if (event.type === 'run:finished') feed.done = true
    for (const follower of [...feed.followers]) follower(event)
  }

  private feed(runId: string): Feed {
    let feed = this.feeds.get(runId)
    if (!feed) {
      feed = { events: [], followers: new Set(), done: false }
      this.feeds.set(runId, feed)
      // Maps iterate in insertion order: the first key is the oldest run.
      if (this.feeds.size > this.keep) this.feeds.delete(this.feeds.keys().next().value!)
    }
    return feed
  }
}
