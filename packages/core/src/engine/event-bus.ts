import { EventEmitter } from 'eventemitter3'
import type { EventName, EventSource, PipewrightEvents } from '@pipewright/plugin-api'

type Listener<K extends EventName> = (payload: PipewrightEvents[K]) => void
export type AnyListener = (name: EventName, payload: unknown) => void

/** The engine's typed event bus. The store, renderers, notifiers and metrics are all listeners. */
export class EventBus implements EventSource {
  private readonly emitter = new EventEmitter()
  private readonly anyListeners = new Set<AnyListener>()

  /** Listens to every event, including those plugins declare themselves (the store's journal). */
  onAny(listener: AnyListener): () => void {
    this.anyListeners.add(listener)
    return () => this.anyListeners.delete(listener)
  }

  on<K extends EventName>(name: K, listener: Listener<K>): this {
    this.emitter.on(name, listener)
    return this
  }

  off<K extends EventName>(name: K, listener: Listener<K>): this {
    this.emitter.off(name, listener)
    return this
  }

  once<K extends EventName>(name: K, listener: Listener<K>): this {
    this.emitter.once(name, listener)
    return this
  }

  emit<K extends EventName>(name: K, payload: PipewrightEvents[K]): void {
    this.emitter.emit(name, payload)
    for (const listener of this.anyListeners) listener(name, payload)
  }
}
