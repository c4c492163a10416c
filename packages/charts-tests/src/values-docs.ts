import { isMap, isScalar, parseDocument } from 'yaml';

export interface ValueDoc {
  readonly key: string;
  readonly comment: string;
}

/** The top-level keys of a values.yaml and the comment right above each. */
export function topLevelValueDocs(text: string): ValueDoc[] {
  const document = parseDocument(text);
  if (!isMap(document.contents)) throw new Error('values.yaml is not a mapping');
  return document.contents.items.map((pair, index) => {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    const before = isScalar(pair.key) ? (pair.key.commentBefore ?? '') : '';
    // yaml attaches the first key's comment to the document.
    const comment = index === 0 ? `${document.commentBefore ?? ''}\n${before}` : before;
    return { key, comment: comment.trim().split('\n').at(-1)?.trim() ?? '' };
  });
}
