import type { RouteInput } from './config';
import { type CompiledMatcher, compileMatcher } from './matcher';

/** A route tree node after validation: matcher compiled, receiver inherited, name assigned. */
export interface CompiledRoute {
  /** The configured name, else its position such as `route.routes[1]`; the root is `root`. */
  readonly name: string;
  /** The path of the node in klaxon.yml, for error messages. */
  readonly configPath: string;
  readonly matcher: CompiledMatcher;
  readonly receiver: string;
  readonly continue: boolean;
  /** Storm grouping, inherited from the parent unless the route sets its own. */
  readonly group?: { by: readonly string[]; windowSeconds: number };
  /** False when enrichment is off for alerts routed here (`enrichment: false`, inherited). */
  readonly enrichment: boolean;
  readonly routes: readonly CompiledRoute[];
}

/** A problem found in the route tree; `path` points at the key in klaxon.yml. */
export interface RouteProblem {
  path: string;
  message: string;
}

/** Compiles the route tree, inheriting receivers from parents and collecting problems instead of throwing. */
export function compileRouteTree(
  root: RouteInput,
  receiverNames: ReadonlySet<string>,
): { tree: CompiledRoute | undefined; errors: RouteProblem[] } {
  const errors: RouteProblem[] = [];
  if (!root.receiver) {
    errors.push({ path: 'route.receiver', message: 'the root route needs a receiver: it is the catch-all' });
  }
  if (root.match && Object.keys(root.match).length > 0) {
    errors.push({
      path: 'route.match',
      message: 'the root route is the catch-all and must not have a match',
    });
  }
  const tree = compileNode(root, 'route', 'root', root.receiver ?? '', undefined, receiverNames, errors);
  return { tree: errors.length === 0 ? tree : undefined, errors };
}

function compileNode(
  input: RouteInput,
  configPath: string,
  defaultName: string,
  inheritedReceiver: string,
  inheritedGroup: CompiledRoute['group'],
  receiverNames: ReadonlySet<string>,
  errors: RouteProblem[],
  inheritedEnrichment = true,
): CompiledRoute {
  const receiver = input.receiver ?? inheritedReceiver;
  const group = input.group ?? inheritedGroup;
  const enrichment = input.enrichment ?? inheritedEnrichment;
  if (input.receiver !== undefined && !receiverNames.has(input.receiver)) {
    errors.push({
      path: `${configPath}.receiver`,
      message: `unknown receiver "${input.receiver}" (defined: ${[...receiverNames].join(', ') || 'none'})`,
    });
  }
  const children = input.routes ?? [];
  const compiled = children.map((child, index) =>
    compileNode(
      child,
      `${configPath}.routes[${index}]`,
      `${configPath}.routes[${index}]`,
      receiver,
      group,
      receiverNames,
      errors,
      enrichment,
    ),
  );
  compiled.forEach((child, index) => {
    if (child.continue) return;
    const shadowing = child.matcher.labels.length === 0;
    for (let later = index + 1; later < compiled.length; later++) {
      const sibling = compiled[later];
      if (!sibling) continue;
      if (shadowing || sibling.matcher.description === child.matcher.description) {
        errors.push({
          path: sibling.configPath,
          message: `unreachable: ${child.configPath} (${child.matcher.description}) matches everything it would and has no "continue: true"`,
        });
      }
    }
  });
  return {
    name: input.name ?? defaultName,
    configPath,
    matcher: compileMatcher(input.match),
    receiver,
    continue: input.continue ?? false,
    group,
    enrichment,
    routes: compiled,
  };
}

/** Walks the tree as Alertmanager does: first matching child wins unless it says `continue`; no child, the node itself. */
export function matchRoutes(
  node: CompiledRoute,
  labels: Readonly<Record<string, string | undefined>>,
): CompiledRoute[] {
  if (!node.matcher.matches(labels)) return [];
  const matched: CompiledRoute[] = [];
  for (const child of node.routes) {
    const found = matchRoutes(child, labels);
    matched.push(...found);
    if (found.length > 0 && !child.continue) break;
  }
  return matched.length > 0 ? matched : [node];
}

/** Every route node in the tree, depth first. */
export function allRoutes(node: CompiledRoute): CompiledRoute[] {
  return [node, ...node.routes.flatMap(allRoutes)];
}
