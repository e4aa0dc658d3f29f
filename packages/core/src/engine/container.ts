import { container as rootContainer, type DependencyContainer } from 'tsyringe'
import { PipewrightError, type Provider, type Resolver, type Token } from '@pipewright/plugin-api'

/** A child container of the process-wide root; one per engine, plugin and run. */
export function createContainer(parent?: DependencyContainer): DependencyContainer {
  return (parent ?? rootContainer).createChildContainer()
}

export function registerProvider<T>(container: DependencyContainer, token: Token<T>, provider: Provider<T>): void {
  if ('useValue' in provider) container.register(token, { useValue: provider.useValue })
  else if ('useFactory' in provider) {
    const factory = provider.useFactory
    // Factories run once per container: plugin services are singletons within their scope.
    let made = false
    let value: T
    container.register(token, {
      useFactory: (c) => {
        if (!made) {
          value = factory(toResolver(c))
          made = true
        }
        return value
      },
    })
  } else container.register(token, { useClass: provider.useClass })
}

export function toResolver(container: DependencyContainer): Resolver {
  return {
    resolve<T>(token: Token<T>): T {
      if (!container.isRegistered(token, true)) {
        throw new PipewrightError('PW_ERR_SERVICE_NOT_FOUND', `No service is registered for ${token.description ?? String(token)}`)
      }
      return container.resolve<T>(token)
    },
    isRegistered: (token) => container.isRegistered(token, true),
  }
}
