// The embeddable ticker: one self-contained file, ticker.js, with the SignalR client and
// the MessagePack protocol inlined. IIFE so it works from a plain <script src> on any site
// (and from <script type="module"> too).
import { defineConfig } from 'vite';
import { quietSignalR } from './vite.shared';

export default defineConfig({
  publicDir: false,
  // Pure ASCII output (non-ASCII as \u escapes): news pages that are not UTF-8, or that load
  // the script without a charset, still show "⚠", "…" and names correctly.
  esbuild: { charset: 'ascii' },
  build: {
    outDir: '../src/Broadcast.Server/wwwroot',
    // The page build ran first into the same folder; keep its output.
    emptyOutDir: false,
    target: 'es2020',
    minify: 'esbuild',
    sourcemap: false,
    lib: {
      entry: 'src/ticker.ts',
      name: 'BroadcastTicker',
      formats: ['iife'],
      fileName: () => 'ticker.js',
    },
    rollupOptions: { onwarn: quietSignalR },
  },
});
