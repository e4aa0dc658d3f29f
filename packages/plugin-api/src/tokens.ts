/**
 * Typed DI tokens. A token is a unique symbol carrying the type of the service it names,
 * so `resolve(token)` is typed without reflection.
 */
declare const tokenType: unique symbol
export type Token<T> = symbol & { readonly [tokenType]?: T }

export function createToken<T>(description: string): Token<T> {
  return Symbol.for(`pipewright:${description}`) as Token<T>
}

/** Resolves services registered by the engine and by plugins. */
export interface Resolver {
  resolve<T>(token: Token<T>): T
  isRegistered(token: Token<unknown>): boolean
}

export type Provider<T> =
  | { useValue: T }
  | { useFactory: (resolver: Resolver) => T }
  | { useClass: new (...args: any[]) => T }
