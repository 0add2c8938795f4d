// parse.mjs FILE... - parse each file with mermaid's own parser (the one
// mermaid.js runs before it draws); prints "FILE: ok (TYPE)" or one line with
// the parser's error, and exits 1 if any file does not parse. mermaid's
// sanitizer (DOMPurify) needs a DOM, so jsdom provides one; nothing is drawn.
import fs from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const mermaid = (await import('mermaid')).default;

let failed = 0;
for (const f of process.argv.slice(2)) {
	try {
		const r = await mermaid.parse(fs.readFileSync(f, 'utf8'));
		console.log(`${f}: ok (${r.diagramType})`);
	} catch (e) {
		const msg = String((e && e.message) || e).split('\n').join(' | ');
		console.log(`${f}: ${msg}`);
		failed = 1;
	}
}
process.exit(failed);
