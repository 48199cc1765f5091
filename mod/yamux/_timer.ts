/** Handle returned by `setTimeout` (a number in browsers, an object under Deno's Node types). */
export type Timer = ReturnType<typeof setTimeout>;
