/**
 * The bench's comma-separated settings (`BENCH_CPU_FRAMEWORKS=express`,
 * `BENCH_HTTP_VARIANTS=set,casl`): one parser, so that every setting reads and refuses names alike.
 */

/**
 * The names a comma-separated setting lists, trimmed; `undefined` when it is unset or empty.
 *
 * @param setting The setting's name, for the error.
 * @param kind What a name names (`'framework'`, `'variant'`), for the error.
 * @throws Error naming the setting, the names it does not know and the ones it does.
 * @example
 * ```ts
 * namesFromSetting('BENCH_CPU_FRAMEWORKS', 'koa', ['express', 'koa'], 'framework') // ['koa']
 * ```
 */
export function namesFromSetting<T extends string>(
  setting: string,
  list: string | undefined,
  known: readonly T[],
  kind: string,
): readonly T[] | undefined {
  if (list === undefined || list === '') return undefined
  const named = list.split(',').map((name) => name.trim())
  const unknown = named.filter((name) => !(known as readonly string[]).includes(name))
  if (unknown.length > 0)
    throw new Error(`${setting}: no ${kind} ${unknown.join(', ')} (${known.join(', ')})`)
  return named as T[]
}
