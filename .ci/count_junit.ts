// Prints "<passed> <failed> <skipped>" for a Deno JUnit report. Test steps are nested test
// cases in Deno's report; each <testcase> counts once.
const xml = await Deno.readTextFile(Deno.args[0]);
let passed = 0, failed = 0, skipped = 0;
for (const m of xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)) {
  const body = m[2] ?? "";
  if (/<(failure|error)\b/.test(body)) failed++;
  else if (/<skipped\b/.test(body)) skipped++;
  else passed++;
}
console.log(`${passed} ${failed} ${skipped}`);
