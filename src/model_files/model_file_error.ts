/**
 * An error of an operation on a model's files (a {@link summarizeModelFile},
 * {@link stripModelFile}, {@link compactModelFile} or {@link pruneModelFile}):
 * a model that does not load, an option the operation cannot take. Its
 * message is one line that names the file or option; `subject` names it
 * alone, for a front end that shows it apart (the command line prints the
 * message, a page may mark the field).
 *
 * ```js
 * try {
 *   await pruneModelFile(artifacts, {method: 'unit', sparsity: 1.5});
 * } catch (error) {
 *   if (error instanceof ModelFileError) console.error(error.subject, error.message);
 * }
 * ```
 */
export class ModelFileError extends Error {
  /** The file, folder or option the error is about (`'--sparsity'`, `'./model/model.json'`). */
  readonly subject: string;

  constructor(message: string, subject: string, options?: { cause?: unknown }) {
    // One line: a front end shows it as it is.
    super(message.replace(/\s*\n\s*/g, ' '));
    this.name = 'ModelFileError';
    this.subject = subject;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/** Runs `task`, turning an error it throws into a {@link ModelFileError} about `subject`. */
export async function aboutSubject<T>(subject: string, task: () => T | Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof ModelFileError) throw error;
    throw new ModelFileError(error instanceof Error ? error.message : String(error), subject, { cause: error });
  }
}
