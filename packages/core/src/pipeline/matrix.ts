export type MatrixValue = string | number | boolean
export type MatrixCombination = Record<string, MatrixValue>

/** Every combination, in key declaration order, the last key varying fastest. */
export function expandMatrix(matrix: Record<string, readonly MatrixValue[]> | undefined): MatrixCombination[] {
  let combinations: MatrixCombination[] = [{}]
  for (const [key, values] of Object.entries(matrix ?? {})) {
    combinations = combinations.flatMap((combination) => values.map((value) => ({ ...combination, [key]: value })))
  }
  return combinations
}

/** `test`, or `test[node=18,os=linux]` for a matrix instance. */
export function instanceId(stageId: string, combination: MatrixCombination): string {
  const entries = Object.entries(combination)
  if (entries.length === 0) return stageId
  return `${stageId}[${entries.map(([key, value]) => `${key}=${String(value)}`).join(',')}]`
}
