'use strict';

// A small stand-in for a front-end bundler: copies public/ into build/,
// concatenates and minifies src/*.js and src/*.css into content-hashed
// files under build/static/, and writes them into index.html.
// Uses only Node's standard library.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const publicDir = path.join(root, 'public');
const srcDir = path.join(root, 'src');
const buildDir = path.join(root, 'build');

// Script order matters: data first, then the code that uses it.
const scripts = ['team.js', 'index.js'];
const styles = ['index.css'];

function minifyJs(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('//'))
    .join('\n');
}

function minifyCss(source) {
  return source
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}:;,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

function hashOf(content) {
  return crypto.createHash('sha256').update(content).digest('hex').slice(0, 8);
}

function emit(kind, names, minify) {
  const joined = names
    .map((name) => minify(fs.readFileSync(path.join(srcDir, name), 'utf8')))
    .join(kind === 'js' ? ';\n' : '\n');
  const fileName = `main.${hashOf(joined)}.${kind}`;
  const relative = `static/${kind}/${fileName}`;
  const target = path.join(buildDir, relative);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, joined + '\n');
  return { relative, bytes: Buffer.byteLength(joined) };
}

function build() {
  const started = process.hrtime.bigint();
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.cpSync(publicDir, buildDir, { recursive: true });

  const js = emit('js', scripts, minifyJs);
  const css = emit('css', styles, minifyCss);

  const indexPath = path.join(buildDir, 'index.html');
  const html = fs
    .readFileSync(indexPath, 'utf8')
    .replace('<!-- %STYLES% -->', `<link rel="stylesheet" href="/${css.relative}" />`)
    .replace('<!-- %SCRIPTS% -->', `<script src="/${js.relative}"></script>`);
  fs.writeFileSync(indexPath, html);

  const manifest = {
    files: { 'main.js': `/${js.relative}`, 'main.css': `/${css.relative}` },
    entrypoints: [js.relative, css.relative],
  };
  fs.writeFileSync(
    path.join(buildDir, 'asset-manifest.json'),
    JSON.stringify(manifest, null, 2) + '\n',
  );

  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log('File sizes after minification:\n');
  console.log(`  ${js.bytes} B  build/${js.relative}`);
  console.log(`  ${css.bytes} B  build/${css.relative}`);
  console.log(`\nThe build folder is ready (${ms.toFixed(1)} ms).`);
}

build();
