import type { RoleSet } from './role-set.js'

/** One step down the tree: the role set of the names so far, and the nodes of one more name. */
interface Node {
  set: RoleSet | undefined
  readonly next: Map<string, Node>
}

/** Longer lists are sorted and de-duplicated first, which keeps the tree shallow. */
const MAX_DEPTH = 16

/**
 * The role sets of the role combinations seen so far, found by the subject's type and its held role
 * names. A lookup walks a tree of maps, one name per level, and allocates nothing: a string key
 * (sorting, joining, then hashing a fresh string) cost several times the decision itself on every
 * request. Names are taken as given, so a role list in another order is another entry of the same
 * set; since no key is built, a name can hold any character without two lists ever sharing one.
 * When `maxSize` sets are cached, the cache starts over.
 */
export class RoleSetCache {
  readonly #maxSize: number
  readonly #build: (held: readonly string[], type: string | undefined) => RoleSet
  /** Subjects without a type, most of them, start here; typed ones under their type in #typed. */
  #untyped: Node = newNode()
  #typed = new Map<string, Node>()
  #size = 0

  constructor(
    maxSize: number,
    build: (held: readonly string[], type: string | undefined) => RoleSet,
  ) {
    this.#maxSize = maxSize
    this.#build = build
  }

  /**
   * The role set of `held` for a subject of `type`: cached, or built and cached. A list of more
   * than 16 names is sorted and de-duplicated first, and is not cached if it still is that long.
   */
  get(type: string | undefined, held: readonly string[]): RoleSet {
    const names = held.length <= MAX_DEPTH ? held : [...new Set(held)].sort()
    if (names.length > MAX_DEPTH) return this.#build(names, type)
    let node = type === undefined ? this.#untyped : this.#typed.get(type)
    for (let i = 0; i < names.length && node !== undefined; i++)
      node = node.next.get(names[i] as string)
    if (node?.set !== undefined) return node.set
    const set = this.#build(names, type)
    this.#store(type, names, set)
    return set
  }

  #store(type: string | undefined, names: readonly string[], set: RoleSet): void {
    if (this.#size >= this.#maxSize) {
      this.#untyped = newNode()
      this.#typed = new Map()
      this.#size = 0
    }
    let node = type === undefined ? this.#untyped : childOf(this.#typed, type)
    for (const name of names) node = childOf(node.next, name)
    node.set = set
    this.#size++
  }
}

const newNode = (): Node => ({ set: undefined, next: new Map() })

/** The node under `key`, made if there is none. */
function childOf(nodes: Map<string, Node>, key: string): Node {
  let node = nodes.get(key)
  if (node === undefined) {
    node = newNode()
    nodes.set(key, node)
  }
  return node
}
