// Bundle and minify the widget with esbuild into bot/web/static/dist/ (served at /static/dist/).
// Run by scripts/build-web.sh (npm ci, then `node build.mjs`). No CDN: everything is served by the project.
import { build } from 'esbuild';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'bot', 'web', 'static', 'dist');

await rm(join(out, 'widget.js'), { force: true });
await rm(join(out, 'widget.js.map'), { force: true });
await mkdir(out, { recursive: true });

const result = await build({
  entryPoints: [join(here, 'src', 'widget.js')],
  outfile: join(out, 'widget.js'),
  bundle: true,
  minify: true,
  sourcemap: 'linked',
  format: 'iife',
  target: ['es2020', 'chrome90', 'firefox90', 'safari14'],
  loader: { '.css': 'text' },
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  banner: { js: '/* Complaints assistant chat widget. Source: web/src/ */' },
});

const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
console.log(`web: built ${Object.keys(result.metafile.outputs).map((p) => p.split('/').pop()).join(', ')} (${bytes} bytes)`);
