/** The kinds of objects the two services hold. */
export type Collection =
  'meters' | 'usage' | 'reports' | 'customers' | 'plans' | 'promotions' | 'invoices' | 'metrics'

/** One object: an id and whatever fields it has. */
export interface Item {
  readonly id: string
  readonly [field: string]: unknown
}

/** Each account's meters, customers, plans… Your database in a real app. */
export interface Records {
  list(account: string, collection: Collection): Item[]
  get(account: string, collection: Collection, id: string): Item | undefined
  /** Adds an object with the next id of the collection (`meters-3`). */
  add(account: string, collection: Collection, fields: Record<string, unknown>): Item
  /** Merges `fields` into an object; `undefined` when there is none with that id. */
  update(
    account: string,
    collection: Collection,
    id: string,
    fields: Record<string, unknown>,
  ): Item | undefined
}

/** In-memory {@link Records}. */
export function memoryRecords(): Records {
  const items = new Map<string, Item[]>()
  const counters = new Map<Collection, number>()
  const of = (account: string, collection: Collection): Item[] => {
    const key = `${account}\n${collection}`
    let list = items.get(key)
    if (list === undefined) items.set(key, (list = []))
    return list
  }
  return {
    list: (account, collection) => [...of(account, collection)],
    get: (account, collection, id) => of(account, collection).find((item) => item.id === id),
    add(account, collection, fields) {
      const n = (counters.get(collection) ?? 0) + 1
      counters.set(collection, n)
      const id = `${collection}-${n}`
      const item: Item = Object.assign({ id }, fields, { id })
      of(account, collection).push(item)
      return item
    },
    update(account, collection, id, fields) {
      const list = of(account, collection)
      const index = list.findIndex((item) => item.id === id)
      if (index === -1) return undefined
      const item: Item = Object.assign({ id }, list[index], fields, { id })
      list[index] = item
      return item
    },
  }
}
