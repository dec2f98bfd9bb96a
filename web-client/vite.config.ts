// Multi-page build of the screens into the server's wwwroot, so the server serves them at /.
// The ticker is a separate library build (vite.ticker.config.ts) into the same folder.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { quietSignalR } from './vite.shared';

const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));
const server = process.env.BROADCAST_DEV_SERVER ?? 'http://127.0.0.1:5000';

export default defineConfig({
  // Relative asset URLs: the pages also work when the server is mounted under a path.
  base: './',
  build: {
    outDir: '../src/Broadcast.Server/wwwroot',
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      onwarn: quietSignalR,
      input: {
        index: page('./index.html'),
        monitor: page('./monitor.html'),
        overlay: page('./overlay.html'),
        station: page('./station.html'),
        operator: page('./operator.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: server, changeOrigin: true },
      '/hubs': { target: server, changeOrigin: true, ws: true },
    },
  },
});
