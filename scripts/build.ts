/**
 * Builds the package into dist/: CommonJS in dist/cjs and ES modules in
 * dist/esm, each with its .d.ts types and a package.json that gives Node its
 * module type (tsconfig.build.cjs.json, tsconfig.build.esm.json).
 *
 * Node's ES module loader resolves no extensionless relative import
 * (`from './masks'`), so the ES build rewrites every relative specifier to
 * the file it names (`'./masks/index.js'`), in the JS and in the .d.ts (where
 * TypeScript's node16 resolution needs it too); src/ keeps the extensionless
 * style. The rewrite works on the syntax tree, with TypeScript's own module
 * resolution: no text patterns.
 *
 *   npm run build
 */
import { rmSync, writeFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';
import * as ts from 'typescript';

/** The repository root. */
export const ROOT = resolve(__dirname, '..');
/** Where the builds go. */
export const DIST = join(ROOT, 'dist');

/** The two builds: the config each compiles with and the module type Node must give its files. */
const BUILDS = [
  { config: 'tsconfig.build.cjs.json', type: 'commonjs', esm: false },
  { config: 'tsconfig.build.esm.json', type: 'module', esm: true },
] as const;

/** A module format of the package: its folder under dist/. */
export type BuildFormat = 'cjs' | 'esm';

/**
 * Deletes `dist` (default: dist/) and builds the module `formats` (default:
 * both) into it, in `cjs` and `esm`; throws with TypeScript's diagnostics on
 * a compile error. (Node loads the CommonJS build for `import` too, so a
 * test that runs code in Node needs only `['cjs']`.)
 */
export function buildPackage(dist = DIST, formats: readonly BuildFormat[] = ['cjs', 'esm']): void {
  rmSync(dist, { recursive: true, force: true });
  for (const build of BUILDS.filter((b) => formats.includes(b.esm ? 'esm' : 'cjs'))) {
    const outDir = join(dist, build.esm ? 'esm' : 'cjs');
    compile(join(ROOT, build.config), build.esm, outDir);
    writeFileSync(join(outDir, 'package.json'), `${JSON.stringify({ type: build.type })}\n`);
  }
}

/** Compiles the project of `configFile` into `outDir`. */
function compile(configFile: string, esm: boolean, outDir: string): void {
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(formatDiagnostics([diagnostic]));
    },
  };
  const config = ts.getParsedCommandLineOfConfigFile(configFile, { outDir }, host)!;
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const errors = [...config.errors, ...ts.getPreEmitDiagnostics(program)]
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) throw new Error(`${configFile}:\n${formatDiagnostics(errors)}`);
  const transformers = esm ? { after: [addJsExtensions<ts.SourceFile>(config.options)], afterDeclarations: [addJsExtensions(config.options)] } : {};
  const result = program.emit(undefined, undefined, undefined, false, transformers);
  if (result.emitSkipped) throw new Error(`${configFile}:\n${formatDiagnostics(result.diagnostics)}`);
}

function formatDiagnostics(diagnostics: readonly ts.Diagnostic[]): string {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => ROOT,
    getNewLine: () => '\n',
  });
}

/**
 * A transformer that makes each module specifier that names a file name it
 * with its extension: `'./a'` becomes `'./a.js'`, `'./dir'` becomes
 * `'./dir/index.js'`, `'pkg/dist/types'` becomes `'pkg/dist/types.js'`, in
 * imports, re-exports and `import('./a').T` types alike.
 */
function addJsExtensions<T extends ts.SourceFile | ts.Bundle>(options: ts.CompilerOptions): ts.TransformerFactory<T> {
  return (context) => (root) => {
    if (ts.isBundle(root)) return root;
    // Declaration transforms see a synthesized file: its original has the source path.
    const sourceFile = ts.getOriginalNode(root) as ts.SourceFile;
    const rewrite = (specifier: string): string => {
      const resolved = ts.resolveModuleName(specifier, sourceFile.fileName, options, ts.sys).resolvedModule;
      const js = (file: string) => file.replace(/\\/g, '/').replace(/(\.d)?\.ts$/, '.js');
      if (specifier.startsWith('./') || specifier.startsWith('../')) {
        if (resolved == null) throw new Error(`${sourceFile.fileName}: cannot resolve '${specifier}'.`);
        const target = js(relative(dirname(sourceFile.fileName), resolved.resolvedFileName));
        return target.startsWith('.') ? target : `./${target}`;
      }
      // A file inside a package, named by its path without extension
      // (`@tensorflow/tfjs-layers/dist/types`, a package without an exports
      // map): Node and TypeScript's node16 resolution need the extension too.
      // Package names, built-in modules and exports-map subpaths stay as they are.
      const id = resolved?.packageId;
      if (id == null || !specifier.startsWith(`${id.name}/`)) return specifier;
      const subpath = specifier.slice(id.name.length + 1);
      const file = js(id.subModuleName);
      return file === `${subpath}.js` || file === `${subpath}/index.js` ? `${id.name}/${file}` : specifier;
    };
    const f = context.factory;
    const literal = (node: ts.Expression | undefined): node is ts.StringLiteral => node != null && ts.isStringLiteral(node);
    const visit = (node: ts.Node): ts.Node => {
      if (ts.isImportDeclaration(node) && literal(node.moduleSpecifier)) {
        return f.updateImportDeclaration(node, node.modifiers, node.importClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text)), node.attributes);
      }
      if (ts.isExportDeclaration(node) && literal(node.moduleSpecifier)) {
        return f.updateExportDeclaration(node, node.modifiers, node.isTypeOnly, node.exportClause,
          f.createStringLiteral(rewrite(node.moduleSpecifier.text)), node.attributes);
      }
      if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && literal(node.argument.literal)) {
        const argument = f.updateLiteralTypeNode(node.argument, f.createStringLiteral(rewrite(node.argument.literal.text)));
        return f.updateImportTypeNode(node, argument, node.attributes, node.qualifier,
          node.typeArguments?.map((t) => ts.visitNode(t, visit, ts.isTypeNode)!), node.isTypeOf);
      }
      return ts.visitEachChild(node, visit, context);
    };
    return ts.visitEachChild(root, visit, context) as T;
  };
}

if (require.main === module) {
  try {
    buildPackage();
    console.log('Built dist/cjs (CommonJS) and dist/esm (ES modules), with types.');
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 1;
  }
}
