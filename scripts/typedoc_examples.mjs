// TypeDoc plugin (typedoc.json loads it): every exported symbol's doc comment
// must show a usage example, a fenced code block or an `@example` tag. A
// missing one is a validation warning, which `treatValidationWarningsAsErrors`
// turns into a failed `npm run docs`, as TypeDoc's own `notDocumented` check
// does for a missing doc comment.
import { Application, ReflectionKind } from 'typedoc';

/** The kinds of exported symbols that need an example. */
const KINDS = ReflectionKind.Class | ReflectionKind.Function | ReflectionKind.Variable |
  ReflectionKind.Interface | ReflectionKind.TypeAlias;

/** Whether a TypeDoc comment holds a fenced code block or an `@example` tag. */
function hasExample(comment) {
  if (comment == null) return false;
  return comment.summary.some((part) => part.kind === 'code' && part.text.startsWith('```')) ||
    comment.blockTags.some((tag) => tag.tag === '@example');
}

/** @param {Application} app */
export function load(app) {
  app.on(Application.EVENT_VALIDATE_PROJECT, (project) => {
    for (const reflection of project.getReflectionsByKind(KINDS)) {
      // Only the entry points' own exports: not members, not symbols nested in a namespace.
      if (!reflection.parent?.kindOf(ReflectionKind.Project | ReflectionKind.Module)) continue;
      const comments = [reflection.comment, ...(reflection.signatures ?? []).map((s) => s.comment)];
      if (!comments.some(hasExample)) {
        app.logger.warn(`${reflection.getFriendlyFullName()} (${ReflectionKind.singularString(reflection.kind)}) ` +
          'has no example: add a fenced code block (```js ... ```) or an @example to its doc comment.');
      }
    }
  });
}
