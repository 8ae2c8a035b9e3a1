import type { PipelineDeps } from '../pipeline-deps';
import { type AlertStage, type AlertWork, StageOrderError, type WorkField } from './stage';

/** The fields a run of stages needs from before it: what some stage needs and no earlier one of them gives. */
function needsOf(stages: readonly AlertStage[]): WorkField[] {
  const given = new Set<WorkField>();
  const needs = new Set<WorkField>();
  for (const stage of stages) {
    for (const field of stage.needs) if (!given.has(field)) needs.add(field);
    for (const field of stage.gives) given.add(field);
  }
  return [...needs];
}

/** Runs stages one after another inside one observer span, whose attributes come from the work so far. */
export function spanned(
  name: string,
  attributes: (work: AlertWork) => Record<string, string>,
  stages: readonly AlertStage[],
): AlertStage {
  return {
    name: `${name}[${stages.map((s) => s.name).join(',')}]`,
    needs: needsOf(stages),
    gives: [...new Set(stages.flatMap((s) => s.gives))],
    run: (work, deps) => deps.observer.span(name, () => runStages(stages, work, deps), attributes(work)),
  };
}

/**
 * Checks, when a composition is built, that every stage comes after the stages that give what it
 * needs; throws StageOrderError naming the first that does not.
 */
export function checkStageOrder(
  stages: readonly AlertStage[],
  given: readonly WorkField[] = ['draft'],
): void {
  const have = new Set<WorkField>(given);
  for (const stage of stages) {
    const missing = stage.needs.filter((field) => !have.has(field));
    if (missing.length > 0) {
      throw new StageOrderError(
        `stage ${stage.name} needs ${missing.join(', ')}, which no earlier stage gives`,
      );
    }
    for (const field of stage.gives) have.add(field);
  }
}

/** Runs the stages in order over one alert, each taking the work the previous one returned. */
export async function runStages(
  stages: readonly AlertStage[],
  work: AlertWork,
  deps: PipelineDeps,
): Promise<AlertWork> {
  let current = work;
  for (const stage of stages) current = await stage.run(current, deps);
  return current;
}
