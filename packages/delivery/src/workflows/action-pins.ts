/** One `uses:` reference of a workflow that is not pinned to a full commit sha. */
export interface UnpinnedAction {
  readonly line: number;
  readonly uses: string;
}

const usesPattern = /^\s*(?:-\s+)?uses:\s*['"]?([^'"\s#]+)/;

/**
 * Lists the third-party actions of a workflow that are not pinned to a 40-hex commit sha (a tag
 * can be moved to other code; a sha cannot). Local actions and reusable workflows (`./...`) are
 * part of the repository and need no pin.
 */
export function findUnpinnedActions(workflowText: string): UnpinnedAction[] {
  const unpinned: UnpinnedAction[] = [];
  workflowText.split('\n').forEach((text, index) => {
    const uses = usesPattern.exec(text)?.[1];
    if (uses === undefined || uses.startsWith('./')) return;
    if (!/@[0-9a-f]{40}$/.test(uses)) unpinned.push({ line: index + 1, uses });
  });
  return unpinned;
}
