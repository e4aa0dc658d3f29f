import type { z } from '@pipewright/plugin-api'
import type { PathSegment } from './problems.js'

type Def = { type: string; shape?: Record<string, z.ZodType>; catchall?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType; valueType?: z.ZodType; options?: z.ZodType[] }

const defOf = (schema: z.ZodType): Def => (schema as unknown as { _zod: { def: Def } })._zod.def

/** Object schemas a value at `path` may be checked against, looking through wrappers and unions. */
function objectsAt(schema: z.ZodType, path: readonly PathSegment[]): Def[] {
  const def = defOf(schema)
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return def.innerType ? objectsAt(def.innerType, path) : []
    case 'pipe':
      return def.in ? objectsAt(def.in, path) : []
    case 'union':
      return (def.options ?? []).flatMap((option) => objectsAt(option, path))
    case 'object': {
      if (path.length === 0) return [def]
      const child = def.shape?.[String(path[0])]
      return child ? objectsAt(child, path.slice(1)) : []
    }
    case 'record':
      return path.length > 0 && def.valueType ? objectsAt(def.valueType, path.slice(1)) : []
    case 'array':
      return path.length > 0 && def.element ? objectsAt(def.element, path.slice(1)) : []
    default:
      return []
  }
}

/** The keys an object at `path` inside `schema` accepts, for "did you mean" on unknown keys. */
export function knownKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((def) => Object.keys(def.shape ?? {})))]
}

/**
 * Keys of `input` that a plain `z.object` at their place would drop without a word (it strips
 * unknown keys; `z.strictObject` reports them itself, `z.looseObject` keeps them), with the keys
 * that object accepts. A typo in an optional key of such a schema is otherwise silently ignored.
 */
export function strippedKeys(schema: z.ZodType, input: unknown, path: PathSegment[] = []): Array<{ path: PathSegment[]; known: string[] }> {
  if (typeof input !== 'object' || input === null) return []
  const found: Array<{ path: PathSegment[]; known: string[] }> = []
  const defs = objectsAt(schema, path)
  const known = [...new Set(defs.flatMap((def) => Object.keys(def.shape ?? {})))]
  const strips = defs.length > 0 && defs.every((def) => def.catchall === undefined)
  for (const [key, value] of Object.entries(input)) {
    const segment: PathSegment = Array.isArray(input) ? Number(key) : key
    if (strips && !Array.isArray(input) && !known.includes(key)) found.push({ path: [...path, key], known })
    else found.push(...strippedKeys(schema, value, [...path, segment]))
  }
  return found
}
