/** One object: an id and whatever fields it has. */
export interface Item {
  readonly id: string
  readonly [field: string]: unknown
}

/**
 * Each team's projects, documents, coverages… under paths such as `riverside/projects` or
 * `riverside/projects/projects-1/documents`. Your database in a real app.
 */
export interface Records {
  list(path: string): Item[]
  get(path: string, id: string): Item | undefined
  /** Adds an object with the next id of its kind, the last segment of the path (`documents-3`). */
  add(path: string, fields: Record<string, unknown>): Item
  /** Merges `fields` into an object; `undefined` when there is none with that id. */
  update(path: string, id: string, fields: Record<string, unknown>): Item | undefined
}

/** In-memory {@link Records}. */
export function memoryRecords(): Records {
  const items = new Map<string, Item[]>()
  const counters = new Map<string, number>()
  const of = (path: string): Item[] => {
    let list = items.get(path)
    if (list === undefined) items.set(path, (list = []))
    return list
  }
  return {
    list: (path) => [...of(path)],
    get: (path, id) => of(path).find((item) => item.id === id),
    add(path, fields) {
      const kind = path.slice(path.lastIndexOf('/') + 1)
      const n = (counters.get(kind) ?? 0) + 1
      counters.set(kind, n)
      const id = `${kind}-${n}`
      const item: Item = Object.assign({ id }, fields, { id })
      of(path).push(item)
      return item
    },
    update(path, id, fields) {
      const list = of(path)
      const index = list.findIndex((item) => item.id === id)
      if (index === -1) return undefined
      const item: Item = Object.assign({ id }, list[index], fields, { id })
      list[index] = item
      return item
    },
  }
}
