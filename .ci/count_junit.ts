// Prints "<passed> <failed> <skipped>" summed over Deno JUnit reports (the main run's and the
// browser tests', which run with their own config). Test steps are nested test cases in Deno's
// report; each <testcase> counts once.
let passed = 0, failed = 0, skipped = 0;
for (const path of Deno.args) {
  const xml = await Deno.readTextFile(path);
  for (const m of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
    const body = m[2] ?? "";
    if (/<(failure|error)\b/.test(body)) failed++;
    else if (/<skipped\b/.test(body)) skipped++;
    else passed++;
  }
}
console.log(`${passed} ${failed} ${skipped}`);
