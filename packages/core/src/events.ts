import { EventEmitter } from 'eventemitter3'
import type { EventName, EventSource, PipewrightEvents } from '@pipewright/plugin-api'

type Listener<K extends EventName> = (payload: PipewrightEvents[K]) => void

/** The engine's typed event bus. The store, renderers, notifiers and metrics are all listeners. */
export class EventBus implements EventSource {
  private readonly emitter = new EventEmitter()

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
  }
}
