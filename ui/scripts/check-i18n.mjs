// Fails when a component shows text that does not come from the message catalogue: words in the
// markup, in a visible attribute (placeholder, title, aria-label, alt, label), or a sentence in a
// string literal of a template expression or of the component's script. Missing or extra keys
// between the English and Korean catalogues are caught by the type check (ko.ts: Messages).
//
// It first proves on a bad sample that it catches each kind, so it cannot pass by seeing nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'svelte/compiler';

const VISIBLE = new Set(['placeholder', 'title', 'aria-label', 'alt', 'label']);
// Sample values and machine text that are the same in every language.
const ALLOWED = new Set(['-----BEGIN CERTIFICATE-----']);
const LETTERS = /\p{L}/u;
const WORDS = /\p{L}{2,}\s+\p{L}{2,}/u;
// One token with punctuation in it: a URL, a key, a path, a shortcut, a sample (`sk-…`, `Ctrl+N`).
const SAMPLE = /^\S*[.:/\-…+]\S*$/u;

/** Text a person reads (not a sample value or a code-like token). */
function readable(text) {
  const trimmed = text.trim();
  return LETTERS.test(trimmed) && !ALLOWED.has(trimmed) && !SAMPLE.test(trimmed);
}

function lineOf(source, offset) {
  return source.slice(0, offset).split('\n').length;
}

/**
 * Walks any AST (Svelte's or ESTree), calling `visit` on every object with a `type`; a visit that
 * returns `false` skips that node's children.
 */
function walk(node, visit, seen = new Set()) {
  if (!node || typeof node !== 'object' || seen.has(node)) return;
  seen.add(node);
  if (Array.isArray(node)) {
    for (const child of node) walk(child, visit, seen);
    return;
  }
  if (typeof node.type === 'string' && visit(node) === false) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent' || key === 'metadata') continue;
    if (value && typeof value === 'object') walk(value, visit, seen);
  }
}

/** The problems of one component's source. */
export function problemsOf(source, file) {
  const ast = parse(source, { modern: true, filename: file });
  const found = [];
  const report = (node, what, text) =>
    found.push(`${file}:${lineOf(source, node.start ?? 0)}: ${what}: ${JSON.stringify(text.trim().slice(0, 60))}`);

  const templateText = (node) => node.quasis.map((q) => q.value.cooked ?? '').join(' ');
  walk(ast.fragment, (node) => {
    // Markup text is a child of a fragment (attribute values are checked below, by name).
    if (node.type === 'Fragment') {
      for (const child of node.nodes) {
        if (child.type === 'Text' && readable(child.data)) {
          report(child, 'text in the markup', child.data);
        }
      }
    }
    if (node.type === 'Attribute' && VISIBLE.has(node.name) && Array.isArray(node.value)) {
      for (const part of node.value) {
        if (part.type === 'Text' && readable(part.data)) {
          report(part, `text in ${node.name}`, part.data);
        }
      }
    }
    if (node.type === 'Literal' && typeof node.value === 'string' && WORDS.test(node.value)) {
      report(node, 'a sentence in an expression', node.value);
    }
    if (node.type === 'TemplateLiteral' && WORDS.test(templateText(node))) {
      report(node, 'a sentence in a template string', templateText(node));
    }
  });
  for (const script of [ast.instance, ast.module]) {
    if (!script) continue;
    walk(script.content, (node) => {
      if (node.type === 'ImportDeclaration') return false;
      if (node.type === 'Literal' && typeof node.value === 'string' && WORDS.test(node.value)) {
        report(node, 'a sentence in the script', node.value);
      }
      if (node.type === 'TemplateLiteral' && WORDS.test(templateText(node))) {
        report(node, 'a sentence in a script template string', templateText(node));
      }
    });
  }
  return found;
}

function selfTest() {
  const bad = `<script lang="ts">
  let notice = 'Role changed to admin.';
  let note = \`Saved \${1} users\`;
</script>
<p>Hello there</p>
<input placeholder="Find a user" />
<button title={busy ? 'Working on it' : 'x'}>{t().ok}</button>
<textarea placeholder="-----BEGIN CERTIFICATE-----"></textarea>
<input placeholder="https://chat.example.com" /><code>admin.users</code>`;
  const found = problemsOf(bad, 'self-test.svelte');
  const kinds = ['a sentence in the script', 'a sentence in a script template string', 'text in the markup', 'text in placeholder', 'a sentence in an expression'];
  for (const kind of kinds) {
    if (!found.some((f) => f.includes(kind))) {
      console.error(`check-i18n self-test: did not catch ${kind}\n${found.join('\n')}`);
      process.exit(2);
    }
  }
  if (found.length !== kinds.length) {
    console.error(`check-i18n self-test: expected ${kinds.length} problems, found:\n${found.join('\n')}`);
    process.exit(2);
  }
  const good = `<script lang="ts">import { t } from '../i18n.svelte';
  import Box from './Error Box.svelte';</script><p class="muted">{t().x}</p><span>×</span>`;
  if (problemsOf(good, 'good.svelte').length !== 0) {
    console.error('check-i18n self-test: a clean component was reported');
    process.exit(2);
  }
}

function components(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return components(path);
    return entry.name.endsWith('.svelte') ? [path] : [];
  });
}

selfTest();
const root = new URL('../src', import.meta.url).pathname;
const files = components(root);
if (files.length < 10) {
  console.error(`check-i18n: only ${files.length} components under ${root}: is this the UI?`);
  process.exit(2);
}
const problems = files.flatMap((file) => problemsOf(readFileSync(file, 'utf8'), relative(join(root, '..'), file)));
if (problems.length > 0) {
  console.error(`Text that does not come from the message catalogue (src/lib/messages):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`check-i18n: ${files.length} components, every visible string from the catalogue`);
