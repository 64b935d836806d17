import { startPostgres } from './postgres.ts';

const mode = process.argv[2];
if (mode === 'time') {
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const s = await startPostgres();
    const t1 = performance.now();
    await s.stop();
    console.log(
      `uid ${process.getuid?.()} start ${(t1 - t).toFixed(0)} ms, stop ${(performance.now() - t1).toFixed(0)} ms`,
    );
  }
} else if (mode === 'leak') {
  const s = await startPostgres();
  console.log('started', s.url, 'exiting without stop');
  process.exit(0);
} else {
  try {
    await startPostgres();
  } catch (e) {
    console.log(String(e));
  }
}
