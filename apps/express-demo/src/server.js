/** `pnpm demo` / `pnpm --filter express-demo start`: run the demo on PORT (default 3000). */
import { createDemo } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const demo = await createDemo();
const server = demo.app.listen(port, () => {
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  console.log(`[express-demo] Open http://localhost:${actual}`);
});

let stopping = false;
/** @param {NodeJS.Signals} signal */
function stop(signal) {
  if (stopping) return;
  stopping = true;
  console.log(`[express-demo] ${signal}: stopping`);
  server.close();
  server.closeAllConnections();
  demo.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
