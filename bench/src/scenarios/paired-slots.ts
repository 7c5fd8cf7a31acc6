/**
 * What issue 3's two side-by-side measurements of the 97% target share: instructions counted by
 * callgrind (http-instructions.ts) and CPU time on one shared core (http-cpu.ts). Each round
 * measures, one slot after the other, a fresh no-guard server and one variant at the same time,
 * and a variant is compared only with the no-guard server of its slot: both servers of a slot
 * read high or low together (seen: 8 to 15% in four rounds of six), which the pairing cancels.
 * A measure gives a cost per request (instructions, µs of CPU); lower is cheaper.
 */
import { LABELS, chooseVariants, type Variant } from '../http/guards.js'
import { namesFromSetting } from '../settings.js'
import {
  FRAMEWORKS as ALL_FRAMEWORKS,
  ISSUE,
  NAMES,
  TARGET_RATIO,
  intervalText,
  judgeKept,
  percent,
  type Framework,
} from '../http/kept-target.js'
import { median } from '../http/statistics.js'
import { printTable } from '../report.js'
import { judge } from '../targets.js'

/** One side-by-side measurement: its settings' prefix, its unit, and how a slot is measured. */
export interface PairedMeasure {
  /** The part's name in the output, e.g. `HTTP instructions`. */
  readonly title: string
  /** Its settings are `${prefix}_ROUNDS`, `${prefix}_VARIANTS` and `${prefix}_FRAMEWORKS`. */
  readonly prefix: string
  /** Rounds when `${prefix}_ROUNDS` is unset. */
  readonly rounds: number
  /** The cost's column name, e.g. `instructions/req`. */
  readonly unit: string
  /** A cost as printed, e.g. `109.8k`. */
  readonly format: (cost: number) => string
  /** A difference of costs as printed, with its sign. */
  readonly formatDifference: (difference: number) => string
  /** What the target's row says it is read from, e.g. `in server instructions`. */
  readonly readFrom: string
  /**
   * The slot's two costs per request: no guard's and the variant's, measured side by side in
   * `round` (from 0).
   */
  readonly slot: (
    framework: Framework,
    variant: Variant,
    round: number,
  ) => Promise<readonly [number, number]>
  /** The table's title after the part's name, and its notes. */
  readonly caption: (rounds: number) => string
  readonly notes: readonly string[]
}

/** Each round's costs of one variant, and of the no-guard server measured beside it. */
interface Slots {
  readonly variant: number[]
  readonly none: number[]
}

type Costs = Map<Framework, Map<Variant, Slots>>

/** `${prefix}_FRAMEWORKS=koa` measures one framework only: a long run of one takes less time. */
function chosenFrameworks(setting: string, list: string | undefined): readonly Framework[] {
  const named = namesFromSetting(setting, list, ALL_FRAMEWORKS, 'framework')
  return named === undefined
    ? ALL_FRAMEWORKS
    : ALL_FRAMEWORKS.filter((framework) => named.includes(framework))
}

/**
 * Each round's throughput kept: no guard's cost per request over the variant's, in the same slot.
 * A CPU-bound server's requests per second go as the inverse of its CPU per request.
 */
const kept = (variant: readonly number[], none: readonly number[]): number[] =>
  variant.map((cost, i) => (none[i] as number) / cost)

/**
 * The median of each round's cost minus the no-guard cost measured beside it in the same slot:
 * what a variant adds, paired round by round.
 */
export const medianDifference = (variant: readonly number[], none: readonly number[]): number =>
  median(variant.map((cost, i) => cost - (none[i] as number)))

/** Runs the rounds of one measure, prints its table and judges the 97% target per framework. */
export async function runPaired(measure: PairedMeasure): Promise<void> {
  const { prefix } = measure
  const rounds = Number(process.env[`${prefix}_ROUNDS`] ?? measure.rounds)
  const frameworks = chosenFrameworks(`${prefix}_FRAMEWORKS`, process.env[`${prefix}_FRAMEWORKS`])
  // `none`, its A/A `control` and `rolegate` always; `${prefix}_VARIANTS=set` adds `Set.has`.
  const chosen = chooseVariants(`${prefix}_VARIANTS`, process.env[`${prefix}_VARIANTS`], [
    'none',
    'control',
    'rolegate',
  ])
  const paired = chosen.filter((variant) => variant !== 'none')
  const costs: Costs = new Map(
    frameworks.map((f) => [f, new Map(paired.map((v) => [v, { variant: [], none: [] }]))]),
  )
  console.log(
    `\n${measure.title}: ${rounds} rounds; each measures ${frameworks.length * paired.length} slots of two servers side by side, no guard and one variant`,
  )
  for (let round = 0; round < rounds; round++) {
    for (const [framework, byVariant] of costs)
      for (const [variant, slots] of byVariant) {
        const [none, cost] = await measure.slot(framework, variant, round)
        slots.none.push(none)
        slots.variant.push(cost)
        console.log(
          `  ${NAMES[framework]}, ${LABELS[variant]}: ${measure.format(cost)} ${measure.unit}, no guard beside it ${measure.format(none)}`,
        )
      }
    console.log(`[${measure.title} round ${round + 1}/${rounds} done]`)
  }
  report(measure, rounds, costs)
}

/** The 97% target for one framework, judged as the requests-per-second one is. */
function judgeFramework(
  measure: PairedMeasure,
  framework: Framework,
  byVariant: ReadonlyMap<Variant, Slots>,
): string {
  const rolegate = byVariant.get('rolegate') as Slots
  const control = byVariant.get('control') as Slots
  const ratios = kept(rolegate.variant, rolegate.none)
  const judged = judgeKept(ratios, kept(control.variant, control.none))
  return judge({
    group: ISSUE,
    scenario: `${NAMES[framework]}: rolegate requirePermission vs no guard, ${measure.readFrom}`,
    target: `≥ ${percent(TARGET_RATIO)} of no guard's req/s, read from ${measure.unit}`,
    measured: `${percent(median(ratios))}, 95% CI ${intervalText(ratios)} (${judged.control}; medians ${measure.format(median(rolegate.variant))} vs ${measure.format(median(rolegate.none))} ${measure.unit})`,
    ...judged.outcome,
  })
}

function report(measure: PairedMeasure, rounds: number, costs: Costs): void {
  const rows: string[][] = []
  for (const [framework, byVariant] of costs) {
    const verdict = judgeFramework(measure, framework, byVariant)
    const everyNone = [...byVariant.values()].flatMap((slots) => slots.none)
    rows.push([
      NAMES[framework],
      LABELS.none,
      measure.format(median(everyNone)),
      everyNone.map(measure.format).join(' '),
      '—',
      '—',
      '—',
      '',
    ])
    for (const [variant, { variant: own, none }] of byVariant)
      rows.push([
        NAMES[framework],
        LABELS[variant],
        measure.format(median(own)),
        own.map(measure.format).join(' '),
        measure.formatDifference(medianDifference(own, none)),
        percent(median(kept(own, none))),
        intervalText(kept(own, none)),
        variant === 'rolegate' ? verdict : '',
      ])
  }
  printTable(
    `${measure.title}: ${measure.caption(rounds)}`,
    [
      'framework',
      'variant',
      measure.unit,
      'each round',
      `guard ${measure.unit}`,
      'req/s kept',
      '95% CI',
      `≥ ${percent(TARGET_RATIO)}`,
    ],
    rows,
    [
      "no guard's row: every no-guard server's cost, one per slot; each variant is compared only with the no-guard server measured beside it, in its own slot",
      `guard ${measure.unit}: the median of each round's cost minus the no-guard cost beside it`,
      ...measure.notes,
      "the target is judged on the sign test's 95% interval, as the req/s one is: PASS when all of it is at least 97%, FAIL when none of it is, OPEN when it straddles 97% or when the A/A control's interval is not within 97% to 103%",
    ],
  )
}
