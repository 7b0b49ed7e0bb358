/** `pnpm demo:passport` / `pnpm --filter passport-demo start`: run the demo on PORT (default 3001). */
import { createDemo } from './app.js';

const port = Number(process.env.PORT ?? 3001);
const demo = await createDemo();
// Express 5 calls this with the error when listening fails (e.g. the port is taken).
const server = demo.app.listen(port, (error) => {
  if (error) {
    console.error(`[passport-demo] Cannot listen on port ${port}: ${error.message}`);
    demo.close().finally(() => process.exit(1));
    return;
  }
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`[passport-demo] Open http://localhost:${actual}`);
});

let stopping = false;
/** @param {NodeJS.Signals} signal */
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[passport-demo] ${signal}: stopping`);
  server.close();
  server.closeAllConnections();
  demo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
