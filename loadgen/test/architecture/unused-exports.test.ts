// Every export of loadgen/src and server/src has a user in another file. The type checker
// resolves each identifier of the project (sources, tests, benchmarks) to the symbol it names,
// through imports and re-exports, so an export counts as used exactly when some other file
// names it. An export that only its own file uses should not be exported; one that nobody uses
// should not exist. A test is a user: a pure function exported so its unit test can reach it
// (cgroup parsers, csv quoting, the wrk output parser...) is a seam, not dead code. The package's
// entry point (package.json `exports`, the API) is the exception: its users are other people's scripts.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHECKED = ['loadgen/src/', 'server/src/'];

/** the source of the module `import 'speedlab'` loads: dist/loadgen/src/index.js -> loadgen/src/index.ts */
function packageEntry(): string {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { exports: { '.': { import: string } } };
  return path.normalize(pkg.exports['.'].import).replace(/^dist\//, '').replace(/\.js$/, '.ts');
}

function program(): ts.Program {
  const configPath = path.join(ROOT, 'tsconfig.tests.json');
  const config = ts.readConfigFile(configPath, (f) => ts.sys.readFile(f));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

/** the symbol an identifier names and every symbol its import/re-export chain passes through */
function chain(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol[] {
  const out = [symbol];
  let s = symbol;
  while (s.flags & ts.SymbolFlags.Alias) {
    const next = checker.getImmediateAliasedSymbol(s);
    if (!next || out.includes(next)) break;
    out.push(next);
    s = next;
  }
  return out;
}

/** the module an import() loads: a literal specifier, or a const holding one (loaded only when needed) */
function importedModule(prog: ts.Program, checker: ts.TypeChecker, file: ts.SourceFile, arg: ts.Expression): ts.Symbol | undefined {
  if (ts.isStringLiteral(arg)) return checker.getSymbolAtLocation(arg);
  const decl = ts.isIdentifier(arg) ? checker.getSymbolAtLocation(arg)?.valueDeclaration : undefined;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isStringLiteral(decl.initializer)) return undefined;
  const target = prog.getSourceFile(path.resolve(path.dirname(file.fileName), decl.initializer.text).replace(/\.js$/, '.ts'));
  return target && checker.getSymbolAtLocation(target);
}

/** the checked files and their exports */
function checkedModules(checker: ts.TypeChecker, files: ts.SourceFile[]): { file: ts.SourceFile; rel: string; exports: ts.Symbol[] }[] {
  return files.flatMap((file) => {
    const rel = path.relative(ROOT, file.fileName);
    const moduleSymbol = CHECKED.some((dir) => rel.startsWith(dir)) ? checker.getSymbolAtLocation(file) : undefined;
    return moduleSymbol ? [{ file, rel, exports: checker.getExportsOfModule(moduleSymbol) }] : [];
  });
}

/** 'file: name' of every export of the checked folders that no other file names */
function unusedExports(): string[] {
  const prog = program();
  const checker = prog.getTypeChecker();
  const files = prog.getSourceFiles().filter((f) => !f.isDeclarationFile && !f.fileName.includes('/node_modules/'));
  const modules = checkedModules(checker, files);
  // Only an identifier spelled like an export can name it (an `export default` could be imported
  // under any name: there is none, and the next line keeps it so), so only those are resolved:
  // the checker's work is lazy, and resolving every identifier of the project took most of a minute.
  const exportNames = new Set(modules.flatMap((m) => m.exports.map((e) => e.name)));
  expect(exportNames.has('default'), 'an export default (imported under any name: this check would miss its users)').toBe(false);
  const usedIn = new Map<ts.Symbol, Set<string>>();
  for (const file of files) {
    const visit = (node: ts.Node): void => {
      if (ts.isIdentifier(node) && exportNames.has(node.text)) {
        const symbols = [checker.getSymbolAtLocation(node)];
        // `(await load()).main` where load() is one of several import()s: the property of a
        // union has a symbol of its own, so each member's property counts as named too
        if (ts.isPropertyAccessExpression(node.parent) && node.parent.name === node) {
          const owner = checker.getTypeAtLocation(node.parent.expression);
          if (owner.isUnion()) symbols.push(...owner.types.map((t) => t.getProperty(node.text)));
        }
        for (const symbol of symbols) {
          if (!symbol) continue;
          for (const s of chain(checker, symbol)) {
            const set = usedIn.get(s) ?? new Set<string>();
            set.add(file.fileName);
            usedIn.set(s, set);
          }
        }
      }
      // `load: () => import('./commands/run.js')` typed as `{ main(argv): ... }`: the module meets
      // a type structurally, so its exports that the importing file names count as named there
      if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0]) {
        const target = importedModule(prog, checker, file, node.arguments[0]);
        const names = new Set(file.text.match(/\w+/g));
        for (const exported of target ? checker.getExportsOfModule(target) : []) {
          if (!names.has(exported.name)) continue;
          const set = usedIn.get(exported) ?? new Set<string>();
          set.add(file.fileName);
          usedIn.set(exported, set);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  const unused: string[] = [];
  const entry = packageEntry();
  for (const { file, rel, exports } of modules) {
    if (rel === entry) continue;
    for (const exported of exports) {
      const users = [...(usedIn.get(exported) ?? [])].filter((f) => f !== file.fileName);
      if (users.length === 0) unused.push(`${rel}: ${exported.name}`);
      if (process.env.UNUSED_DECLS && users.length === 0) {
        const d = (exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported).declarations ?? [];
        for (const decl of d) console.log('DECL', decl.getSourceFile().fileName, decl.getStart(), exported.name, ts.SyntaxKind[decl.kind]);
      }
    }
  }
  return unused.sort();
}

describe('exports', () => {
  it('each has a user in another file', () => {
    expect(unusedExports()).toEqual([]);
  }, 120_000);
});
