import { printTable, verdict } from './report.js'

/** One of the issues' targets, as measured in this run. */
export interface Target {
  /** Which issue and section it belongs to; the summary prints one table per group. */
  readonly group?: string
  readonly scenario: string
  readonly target: string
  readonly measured: string
  readonly pass: boolean
  /**
   * Set when the measurement cannot tell: its confidence interval straddles the target. Such a
   * target is neither met nor missed, and reads OPEN.
   */
  readonly unresolved?: boolean
}

const CORE = 'issue 2, core: rolegate only'

const targets: Target[] = []

/** Records a target's outcome for the closing summary and returns PASS, FAIL or OPEN for a row. */
export function judge(target: Target): string {
  targets.push(target)
  return verdict(target.pass, target.unresolved)
}

export function printTargets(): void {
  const groups = [...new Set(targets.map((t) => t.group ?? CORE))]
  for (const group of groups) {
    printTable(
      `Targets (${group})`,
      ['scenario', 'target', 'measured', 'result'],
      targets
        .filter((t) => (t.group ?? CORE) === group)
        .map((t) => [t.scenario, t.target, t.measured, verdict(t.pass, t.unresolved)]),
    )
  }
  const open = targets.filter((t) => t.unresolved === true).length
  const met = targets.filter((t) => t.pass && t.unresolved !== true).length
  const missed = targets.length - open - met
  console.log(
    `\n${met} targets met, ${missed} missed${open === 0 ? '' : `, ${open} open (the measurement cannot tell)`}`,
  )
}
