// Loaded with `node --import` by the CLI benchmarks (bench/cli-process.mjs cliArgs): reports the process's peak RSS
// and its CPU time (user + system, all threads, ms) on exit.
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write(
    `\nBENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\nBENCH_CPU_MS=${Math.round((u.user + u.system) / 1000)}\n`,
  );
});
