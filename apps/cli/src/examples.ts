import { newRunId } from '@pipewright/core'

/**
 * The run id the help texts show, made by the engine's own id function from a fixed time and
 * fixed random bytes: it looks like the ids `pipewright runs` lists, and never changes.
 */
export const EXAMPLE_RUN_ID = newRunId(Date.UTC(2025, 5, 3, 14, 7, 12), Uint8Array.of(0x4b, 0xe2, 0xa9))

/** A prefix of it, as people paste it (`show`, `logs` and `--resume` accept unique prefixes). */
export const EXAMPLE_RUN_PREFIX = EXAMPLE_RUN_ID.slice(0, EXAMPLE_RUN_ID.indexOf('-') + 3)
