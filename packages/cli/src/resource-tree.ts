/** One resource as a row of the tree: its path, its depth (0 at the top) and its last segment. */
export interface ResourceRow {
  readonly path: string
  readonly depth: number
  readonly segment: string
}

/**
 * The declared resources and their implied parents in tree order: each parent before its children,
 * and siblings in the order the policy first mentions them, so a policy reads top to bottom like a
 * rights table. (Core orders resources alphabetically; the order does not change any decision.)
 * The root `*` is left out.
 */
export function resourceTree(declared: readonly string[]): ResourceRow[] {
  const children = new Map<string, string[]>([['', []]])
  for (const path of declared) {
    if (path === '*') continue
    const segments = path.split('.')
    segments.forEach((_, i) => {
      const prefix = segments.slice(0, i + 1).join('.')
      if (children.has(prefix)) return
      children.set(prefix, [])
      children.get(segments.slice(0, i).join('.'))?.push(prefix)
    })
  }
  const rows: ResourceRow[] = []
  const visit = (parent: string, depth: number): void => {
    for (const path of children.get(parent) ?? []) {
      rows.push({ path, depth, segment: path.slice(path.lastIndexOf('.') + 1) })
      visit(path, depth + 1)
    }
  }
  visit('', 0)
  return rows
}
